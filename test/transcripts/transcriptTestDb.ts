import { randomUUID } from "node:crypto";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { up } from "../../migrations/0005_history_index.ts";
import type { TranscriptDb } from "../../src/transcripts/transcriptDb.ts";

const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A Postgres schema of its own for one test file, with only the history index migrated. */
export const createTranscriptDb = async (): Promise<{ db: TranscriptDb; close: () => Promise<void> }> => {
  const schema = `hist_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 6, options: `-c search_path=${schema}` });
  const db: TranscriptDb = new Kysely({ dialect: new PostgresDialect({ pool }) });
  await up(db);
  return {
    db,
    close: async () => {
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(db);
      await db.destroy();
    },
  };
};
