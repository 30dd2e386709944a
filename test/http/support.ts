import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { sessionDecider } from "../../commands/session/index.ts";
import { createTokenStore } from "../../src/auth/tokens.ts";
import { createHistoryService } from "../../src/history/historyService.ts";
import { parseConfig } from "../../src/config.ts";
import { createCachedCommandHandler } from "../../src/eventStore/cachedCommandHandler.ts";
import { allProjections } from "../../projections/index.ts";
import { createProjector } from "../../src/projector/projector.ts";
import { createSessionReads } from "../../src/readModels/sessionReads.ts";
import { buildApp } from "../../src/http/app.ts";
import { createTestDatabase } from "../support/postgres.ts";
import { createTestStore } from "../support/redis.ts";

export const TEST_TOKEN = "test-token-0123456789abcdef";

/**
 * The whole HTTP app over real Redis (random prefix) and a real Postgres schema, with a
 * temporary repositories folder holding `alpha` and `beta`. Limits are high unless overridden.
 */
export const createTestApp = async (env: Record<string, string> = {}) => {
  const { store, redis, prefix, close: closeStore } = await createTestStore(4);
  const database = await createTestDatabase();
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), "ccm-http-")));
  const root = join(scratch, "repos");
  for (const folder of ["alpha", "beta"]) mkdirSync(join(root, folder), { recursive: true });
  const config = parseConfig({
    GITHUB_REPOS_DIRECTORY: root, DATA_DIR: join(scratch, "data"), CLAUDE_CONFIG_DIR: join(scratch, "claude"),
    REDIS_KEY_PREFIX: prefix, API_TOKEN: TEST_TOKEN, LOG_LEVEL: "silent",
    RATE_LIMIT_READS: "100000", RATE_LIMIT_PROMPTS: "100000", RATE_LIMIT_WRITES: "100000", ...env,
  });
  const tokens = createTokenStore({ redis, prefix, staticTokens: [{ name: "tester", token: TEST_TOKEN }] });
  const commands = createCachedCommandHandler(store, sessionDecider);
  const logger = pino({ level: "silent" });
  const history = createHistoryService({ db: database.db, claudeConfigDir: config.CLAUDE_CONFIG_DIR, logger });
  // The real read side: a projector feeding the read models the GET routes query.
  const projector = createProjector({ store, db: database.db, projections: allProjections, logger });
  await projector.start();
  const reads = createSessionReads({ db: database.db, projections: allProjections.map((projection) => projection.name), projector });
  const app: FastifyInstance = await buildApp({
    config, logger, redis, db: database.db, store, version: "test", reads, commands, tokens, history,
  });
  await app.ready();
  return {
    app, store, redis, prefix, root, scratch, config, tokens, commands, history, db: database.db,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    close: async () => {
      await app.close();
      await projector.stop();
      await database.close();
      await closeStore();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
};

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

export const PROBLEM_TYPE = "application/problem+json; charset=utf-8";
