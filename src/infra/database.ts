import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql, type DatabaseIntrospector, type Dialect, type TableMetadata } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import type { Logger } from "pino";
import type { ReadModels } from "../../projections/tables.ts";
import type { Config } from "../config.ts";

/** The service's database: its tables are declared in `projections/tables.ts`. */
export type Database = Kysely<ReadModels>;

const TIMESTAMPTZ = 1184;
/** Timestamps come back as ISO 8601 text (as events carry them and the API shows them), never as Date. */
const isoText = (text: string) => new Date(text).toISOString();
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => (oid === TIMESTAMPTZ ? isoText : pg.types.getTypeParser(oid, format as "text"))) as pg.CustomTypesConfig["getTypeParser"],
};

/**
 * The migrator asks the introspector whether its own tables exist. Kysely's Postgres
 * introspector reads every schema of the database, and fails when another schema is dropped
 * meanwhile (replay's shadow schemas, other test files): look at the current schema only.
 */
export const withCurrentSchemaIntrospection = (dialect: Dialect): Dialect => ({
  createAdapter: () => dialect.createAdapter(),
  createDriver: () => dialect.createDriver(),
  createQueryCompiler: () => dialect.createQueryCompiler(),
  createIntrospector: (db): DatabaseIntrospector => {
    const getTables = async (): Promise<TableMetadata[]> => {
      const { rows } = await sql<{ schema: string; name: string; type: string }>`
        select table_schema as schema, table_name as name, table_type as type
        from information_schema.tables where table_schema = current_schema()`.execute(db);
      return rows.map((row) => ({ schema: row.schema, name: row.name, isView: row.type === "VIEW", columns: [] }));
    };
    return {
      getSchemas: () => dialect.createIntrospector(db).getSchemas(),
      getTables,
      getMetadata: async () => ({ tables: await getTables() }),
    };
  },
});

/**
 * A pool that survives Postgres going away: a client whose server connection died (a restart,
 * a failover, pg_terminate_backend) emits `error`, on the pool while idle and on itself while
 * checked out, which would end the process if nobody listened. A connection attempt gives up after a few seconds instead of
 * waiting for ever, so a request answers 503 rather than hanging.
 */
export const createPool = (options: pg.PoolConfig, logger: Logger): pg.Pool => {
  const pool = new pg.Pool({ connectionTimeoutMillis: 3000, idleTimeoutMillis: 10_000, types: pgTypes, ...options });
  let lastError = "";
  pool.on("error", (error) => {
    // One line per kind of failure, not one per idle client.
    if (error.message === lastError) return;
    lastError = error.message;
    logger.warn({ err: error.message }, "postgres: a pooled connection failed; it is replaced on next use");
  });
  pool.on("connect", (client) => {
    lastError = "";
    // A client checked out between two queries (inside a transaction) has no pool listener:
    // its connection dying would be an unhandled 'error'. The next query on it fails instead.
    client.on("error", (error) => {
      if (error.message !== lastError) logger.warn({ err: error.message }, "postgres: a connection in use failed");
      lastError = error.message;
    });
  });
  return pool;
};

/** Postgres at DATABASE_URL, or PGlite in DATA_DIR/pglite when none is configured. */
export const openDatabase = async (config: Pick<Config, "DATABASE_URL" | "DATA_DIR">, logger: Logger) => {
  if (config.DATABASE_URL) {
    const pool = createPool({ connectionString: config.DATABASE_URL, max: 10 }, logger);
    const db: Database = new Kysely({ dialect: withCurrentSchemaIntrospection(new PostgresDialect({ pool })) });
    return { db, kind: "postgres" as const, close: () => db.destroy() };
  }
  const dir = join(config.DATA_DIR, "pglite");
  mkdirSync(dir, { recursive: true });
  // Not awaited: PGlite queues queries until it is ready, so the service assembles meanwhile
  // (opening takes most of a second); a folder it cannot open fails those queries.
  const pglite = new PGlite(dir, { parsers: { [TIMESTAMPTZ]: isoText } });
  pglite.waitReady.catch((error: unknown) => logger.error({ err: error, dir }, "PGlite could not open its data folder"));
  const db: Database = new Kysely({ dialect: withCurrentSchemaIntrospection(new PGliteDialect(pglite)) });
  return { db, kind: "pglite" as const, close: async () => { await db.destroy(); await pglite.close().catch(() => undefined); } };
};
