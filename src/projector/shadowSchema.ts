import { sql } from "kysely";
import type { Database } from "../infra/database.ts";

/** Quotes an identifier for DDL that kysely's builders cannot express. */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export const currentSchema = async (db: Database): Promise<string> =>
  (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema ?? "public";

/** Where a rebuild of `projection` lives until it is swapped in. Postgres names stop at 63 bytes. */
export const shadowSchemaName = (liveSchema: string, projection: string): string =>
  `${liveSchema}__rebuild_${projection}`.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 63);

export const schemaExists = async (db: Database, schema: string): Promise<boolean> =>
  (await sql<{ n: number }>`select count(*)::int as n from pg_namespace where nspname = ${schema}`.execute(db)).rows[0]?.n === 1;

type ForeignKey = { table: string; name: string; definition: string; referenced: string };

const foreignKeysAmong = async (db: Database, schema: string, tables: readonly string[]): Promise<ForeignKey[]> => {
  const result = await sql<ForeignKey>`
    select c.relname as table, k.conname as name, pg_get_constraintdef(k.oid) as definition, r.relname as referenced
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    join pg_class r on r.oid = k.confrelid
    where k.contype = 'f' and n.nspname = ${schema} and c.relname = any(${[...tables]}::text[])`.execute(db);
  return result.rows.filter((key) => tables.includes(key.referenced));
};

/**
 * Empty copies of the live tables (columns, defaults, checks, indexes, keys) in `shadow`, plus
 * the foreign keys between them pointed at the copies. One transaction: all or nothing.
 */
export const createShadowTables = async (db: Database, live: string, shadow: string, tables: readonly string[]) => {
  await db.transaction().execute(async (trx) => {
    await sql.raw(`create schema ${ident(shadow)}`).execute(trx);
    for (const table of tables) {
      await sql.raw(`create table ${ident(shadow)}.${ident(table)} (like ${ident(live)}.${ident(table)} including all)`).execute(trx);
    }
    for (const key of await foreignKeysAmong(trx, live, tables)) {
      const definition = key.definition.replace(/REFERENCES\s+("?[^"(]+"?\.)?"?[^"(\s]+"?\s*\(/, `REFERENCES ${ident(shadow)}.${ident(key.referenced)}(`);
      await sql.raw(`alter table ${ident(shadow)}.${ident(key.table)} add constraint ${ident(key.name)} ${definition}`).execute(trx);
    }
  });
};

export const dropSchema = async (db: Database, schema: string) => {
  await sql.raw(`drop schema if exists ${ident(schema)} cascade`).execute(db);
};

/**
 * Inside the caller's transaction: the shadow tables take the live tables' place and the old
 * ones are dropped. Readers see the old tables until commit, then the new ones.
 */
export const swapTables = async (trx: Database, live: string, shadow: string, tables: readonly string[]) => {
  const retired = `${shadow.slice(0, 55)}__old`;
  await sql.raw(`drop schema if exists ${ident(retired)} cascade`).execute(trx);
  await sql.raw(`create schema ${ident(retired)}`).execute(trx);
  for (const table of tables) await sql.raw(`alter table ${ident(live)}.${ident(table)} set schema ${ident(retired)}`).execute(trx);
  for (const table of tables) await sql.raw(`alter table ${ident(shadow)}.${ident(table)} set schema ${ident(live)}`).execute(trx);
  await sql.raw(`drop schema ${ident(retired)} cascade`).execute(trx);
  await sql.raw(`drop schema ${ident(shadow)} cascade`).execute(trx);
};

export const countRows = async (db: Database, schema: string, table: string): Promise<number> =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.raw(`${ident(schema)}.${ident(table)}`)}`.execute(db)).rows[0]?.n ?? 0;
