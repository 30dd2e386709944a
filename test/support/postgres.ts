import { randomUUID } from "node:crypto";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import pino from "pino";
import { migrateToLatest } from "../../src/infra/migrate.ts";
import { withCurrentSchemaIntrospection, type Database } from "../../src/infra/database.ts";

export const postgresUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * A real Postgres schema of its own for one test file, migrated to the latest version.
 * `close()` drops it.
 */
export const createTestDatabase = async (): Promise<{ db: Database; schema: string; close: () => Promise<void> }> => {
  const schema = `t_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 8, options: `-c search_path=${schema}` });
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
