import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { parseConfig } from "../../src/config.ts";
import { deleteKeysByPrefix, openRedis } from "../../src/infra/redis.ts";
import { assemble, type AssembleOptions, type Role } from "../../src/main.ts";
import { createTestDatabase } from "./postgres.ts";
import { connectTestRedis, testClusterNodes } from "./redis.ts";

/** The bootstrap token of every test service (admin scope, actor `env`). */
export const TEST_TOKEN = "test-token-0123456789abcdef";
export const testAuth = { authorization: `Bearer ${TEST_TOKEN}` };

/**
 * What the services of one test file share, as processes of one deployment share their
 * datastores: real Redis under a random key prefix, a Postgres schema of its own, and a scratch
 * folder whose `repos/` (with `alpha` and `beta`) is the repositories folder.
 */
export const createTestClients = async (options: { partitions?: number; redisUrl?: string; logger?: Logger } = {}) => {
  const shared = connectTestRedis();
  // A Redis of the test's own (to break it) gets the service's own connection settings.
  const redis = options.redisUrl ? openRedis(options.redisUrl, options.logger ?? pino({ level: "silent" })) : shared.redis;
  if (options.redisUrl) shared.redis.disconnect();
  const { prefix } = shared;
  const database = await createTestDatabase();
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), "ccm-test-")));
  const root = join(scratch, "repos");
  for (const folder of ["alpha", "beta"]) mkdirSync(join(root, folder), { recursive: true });
  const nodes = options.redisUrl ? undefined : testClusterNodes();
  const clusterEnv: Record<string, string> = nodes === undefined ? {} : { REDIS_CLUSTER_NODES: nodes };
  const logger: Logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  /** The configuration of a test service: limits high, everything under the scratch folder, `env` on top. */
  const configFor = (env: Record<string, string> = {}) =>
    parseConfig({
      GITHUB_REPOS_DIRECTORY: root, DATA_DIR: join(scratch, "data"), CLAUDE_CONFIG_DIR: join(scratch, "claude"),
      REDIS_KEY_PREFIX: prefix, API_TOKEN: TEST_TOKEN, LOG_LEVEL: "silent", PARTITIONS: String(options.partitions ?? 4),
      RATE_LIMIT_READS: "100000", RATE_LIMIT_PROMPTS: "100000", RATE_LIMIT_WRITES: "100000",
      RATE_LIMIT_AUTH_FAILURES: "100000", ...clusterEnv, ...env,
    });
  return {
    redis, prefix, clusterEnv, db: database.db, schema: database.schema, scratch, root, logger, configFor,
    close: async () => {
      await database.close();
      await deleteKeysByPrefix(redis, prefix).catch(() => undefined);
      redis.disconnect();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
};

export type TestClients = Awaited<ReturnType<typeof createTestClients>>;

export type TestServiceOptions = Omit<AssembleOptions, "roles" | "version"> & {
  readonly roles?: readonly Role[];
  /** Configuration variables on top of the test defaults. */
  readonly config?: Record<string, string>;
  readonly logger?: Logger;
};

/** One "process" of the deployment: the production composition root over the shared test clients. */
export const assembleTest = async (clients: TestClients, options: TestServiceOptions = {}) => {
  const config = clients.configFor(options.config);
  const { roles = ["api", "projector"], logger = clients.logger, config: _config, ...rest } = options;
  const service = await assemble(config, { redis: clients.redis, db: clients.db, logger }, { ...rest, roles, version: "test" });
  return { ...service, config };
};

export type TestService = Awaited<ReturnType<typeof assembleTest>>;

/** A service with clients of its own, closed together. */
export const startTestService = async (options: TestServiceOptions & { partitions?: number } = {}) => {
  const { partitions, ...rest } = options;
  const clients = await createTestClients(partitions === undefined ? {} : { partitions });
  const service = await assembleTest(clients, rest);
  return {
    ...service, clients, redis: clients.redis, prefix: clients.prefix, db: clients.db, root: clients.root, scratch: clients.scratch,
    close: async () => {
      await service.stop();
      await clients.close();
    },
  };
};

/** The app of a service, listening on a free loopback port. */
export const listen = async (app: FastifyInstance | undefined): Promise<{ port: number; url: string }> => {
  if (!app) throw new Error("the service has no api role");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, url: `http://127.0.0.1:${port}` };
};

/** Waits until every projection of the service has applied everything in the logs (bounded). */
export const waitForProjections = async (service: Pick<TestService, "projector">, timeoutMs = 15_000) => {
  const { projector } = service;
  if (!projector) throw new Error("the service has no projector role");
  const deadline = Date.now() + timeoutMs;
  while ((await projector.lag()).some((lag) => lag.behind > 0)) {
    if (Date.now() > deadline) throw new Error("the projections did not catch up in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
