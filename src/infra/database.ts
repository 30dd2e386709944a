import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import type { Config } from "../config.ts";

// Tables are declared by migrations, which stay frozen in time (kysely docs): no generated types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Database = Kysely<any>;

/** Postgres at DATABASE_URL, or PGlite in DATA_DIR/pglite when none is configured. */
export const openDatabase = async (config: Pick<Config, "DATABASE_URL" | "DATA_DIR">) => {
  if (config.DATABASE_URL) {
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 10 });
    const db: Database = new Kysely({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: "postgres" as const, close: () => db.destroy() };
  }
  const dir = join(config.DATA_DIR, "pglite");
  mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const db: Database = new Kysely({ dialect: new PGliteDialect(pglite) });
  return { db, kind: "pglite" as const, close: async () => { await db.destroy(); await pglite.close().catch(() => undefined); } };
};
