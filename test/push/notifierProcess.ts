import { Redis } from "ioredis";
import { Kysely, PostgresDialect } from "kysely";
import pino from "pino";
import { parseConfig } from "../../src/config.ts";
import { createPool, withCurrentSchemaIntrospection, type Database } from "../../src/infra/database.ts";
import { assemble } from "../../src/main.ts";
import { postgresUrl } from "../support/postgres.ts";

/**
 * A notifier process of a test deployment: the notifier role assembled by the composition root
 * over the test's Redis prefix and Postgres schema (TEST_SCHEMA). A process of its own, so that
 * NODE_EXTRA_CA_CERTS (read by Node only at start) makes it trust the test's HTTPS push service,
 * as an operator's CA file would. Prints `{ "ready": true }` once started.
 */
const main = async () => {
  const config = parseConfig(process.env);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", { enableAutoPipelining: true });
  const pool = createPool({ connectionString: postgresUrl, max: 4, options: `-c search_path=${process.env.TEST_SCHEMA ?? "public"}` }, logger);
  const db: Database = new Kysely({ dialect: withCurrentSchemaIntrospection(new PostgresDialect({ pool })) });
  const service = await assemble(config, { redis, db, logger }, { roles: ["notifier"], version: "test", notifier: { pollMs: 100, blockMs: 200, claimIdleMs: 1000 } });
  const stop = () => void service.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
};

void main();
