import { randomUUID } from "node:crypto";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import pino from "pino";
import { migrateToLatest } from "../../src/infra/migrate.ts";
import { createPool, withCurrentSchemaIntrospection, type Database } from "../../src/infra/database.ts";

export const postgresUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface MigratedSchema {
  readonly db: Database;
  readonly schema: string;
  /** Drops the schema and closes the pool. */
  readonly close: () => Promise<void>;
}

/** A new schema named `<prefix>_<random>` on `url`, migrated to the latest version. */
export const openMigratedSchema = async (url: string, prefix: string, maxConnections: number): Promise<MigratedSchema> => {
  const schema = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = createPool({ connectionString: url, max: maxConnections, options: `-c search_path=${schema}` }, pino({ level: "silent" }));
  const db: Database = new Kysely({ dialect: withCurrentSchemaIntrospection(new PostgresDialect({ pool })) });
  await migrateToLatest(db, pino({ level: "silent" }), schema);
  return {
    db,
    schema,
    close: async () => {
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(db);
      await db.destroy();
    },
  };
};

/** A real Postgres schema of its own for one test file. */
export const createTestDatabase = (): Promise<MigratedSchema> => openMigratedSchema(postgresUrl, "t", 8);
