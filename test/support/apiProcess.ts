import { Redis } from "ioredis";
import { Kysely, PostgresDialect } from "kysely";
import pino from "pino";
import { parseConfig } from "../../src/config.ts";
import { openCluster } from "../../src/infra/redis.ts";
import { createPool, withCurrentSchemaIntrospection, type Database } from "../../src/infra/database.ts";
import { assemble } from "../../src/main.ts";
import { postgresUrl } from "./postgres.ts";

/**
 * An api process of a test deployment: the api role assembled by the composition root over
 * the test's Redis prefix and Postgres schema (TEST_SCHEMA), listening on a free loopback
 * port. Configured by environment; prints `{ "port": n }` once listening.
 */
const main = async () => {
  const config = parseConfig(process.env);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const redis = config.REDIS_CLUSTER_NODES === undefined
    ? new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", { enableAutoPipelining: true })
    : openCluster(config.REDIS_CLUSTER_NODES, logger);
  const pool = createPool({ connectionString: postgresUrl, max: 4, options: `-c search_path=${process.env.TEST_SCHEMA ?? "public"}` }, logger);
  const db: Database = new Kysely({ dialect: withCurrentSchemaIntrospection(new PostgresDialect({ pool })) });
  const service = await assemble(config, { redis, db, logger }, { roles: ["api"], version: "test" });
  await service.app?.listen({ port: 0, host: "127.0.0.1" });
  const address = service.app?.server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`);
};

void main();
