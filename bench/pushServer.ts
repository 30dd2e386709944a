import { Redis } from "ioredis";
import { Kysely, PostgresDialect } from "kysely";
import pino from "pino";
import { parseConfig } from "../src/config.ts";
import { createPool, withCurrentSchemaIntrospection, type Database } from "../src/infra/database.ts";
import { assemble } from "../src/main.ts";
import { postgresUrl } from "./fixtures.ts";

/**
 * The notifier of `bench/push.ts`, through the composition root, in a process of its own so
 * that NODE_EXTRA_CA_CERTS (read only at start) makes it trust the bench's HTTPS push service.
 * Uses BENCH_PREFIX and the schema BENCH_SCHEMA. Prints one JSON line once ready; stops on SIGTERM.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const logger = pino({ level: "silent" });
const config = parseConfig({ REDIS_KEY_PREFIX: process.env.BENCH_PREFIX ?? "bench:push:", LOG_LEVEL: "silent", PARTITIONS: "8", PUSH_CONCURRENCY: process.env.PUSH_CONCURRENCY });
const redis = new Redis(redisUrl, { enableAutoPipelining: true });
const pool = createPool({ connectionString: postgresUrl, max: 8, options: `-c search_path=${process.env.BENCH_SCHEMA ?? "public"}` }, logger);
const db: Database = new Kysely({ dialect: withCurrentSchemaIntrospection(new PostgresDialect({ pool })) });
const service = await assemble(config, { redis, db, logger }, { roles: ["notifier"], version: "bench" });
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

process.once("SIGTERM", async () => {
  await service.stop().catch(() => undefined);
  await db.destroy();
  redis.disconnect();
  process.exit(0);
});
process.on("disconnect", () => process.exit(0));
