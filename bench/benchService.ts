import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import pino from "pino";
import { parseConfig } from "../src/config.ts";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import { assemble } from "../src/main.ts";
import { openBenchSchema } from "./fixtures.ts";

/**
 * The service as a benchmark server runs it: the api and projector roles through the
 * composition root, on the shared Redis under a random key prefix and a migrated Postgres
 * schema of its own, rate limits out of the way. `stop()` removes everything it made.
 */
export const startBenchService = async (name: string, poolSize: number) => {
  const token = `bench-${randomUUID()}`;
  const prefix = `bench:${name}:${randomUUID().slice(0, 8)}:`;
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), "ccm-bench-")));
  mkdirSync(join(scratch, "repos", "project"), { recursive: true });
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379", { enableAutoPipelining: true });
  const database = await openBenchSchema(poolSize);
  const config = parseConfig({
    GITHUB_REPOS_DIRECTORY: join(scratch, "repos"), DATA_DIR: join(scratch, "data"), CLAUDE_CONFIG_DIR: join(scratch, "claude"),
    REDIS_KEY_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: "silent", PARTITIONS: "8",
    RATE_LIMIT_READS: "100000000", RATE_LIMIT_PROMPTS: "100000000", RATE_LIMIT_WRITES: "100000000",
  });
  const service = await assemble(config, { redis, db: database.db, logger: pino({ level: "silent" }) }, { roles: ["api", "projector"], version: "bench" });
  return {
    app: service.app as FastifyInstance,
    token,
    prefix,
    schema: database.schema,
    stop: async () => {
      await service.stop();
      await database.close();
      await deleteKeysByPrefix(redis, prefix);
      redis.disconnect();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
};
