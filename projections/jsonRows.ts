import { sql } from "kysely";
import type { ReadModelDb } from "./projection.ts";
import type { ReadModels } from "./tables.ts";

/**
 * Inserts rows into `table` with one short statement whatever their number: the rows travel as
 * one JSON parameter and Postgres types each value by the table's own row type
 * (`json_populate_recordset`). Against a multi-row VALUES list that is one parameter instead of
 * one per value, a statement Postgres parses and plans in the same time for 1 row or 1,000, and
 * no per-value work in the query builder. Values go as the row holds them: objects for json(b)
 * columns (a JSON null is SQL NULL), never JSON text. With `key`, a row that conflicts on it
 * updates every other column.
 */
export const upsertJsonRows = async (db: ReadModelDb, table: keyof ReadModels, key: readonly string[], rows: readonly object[]) => {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const updated = columns.filter((column) => !key.includes(column));
  const select = sql`select ${sql.join(columns.map((column) => sql.ref(column)))} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::json)`;
  // The table and its columns are only known here at run time.
  await db.insertInto(table).columns(columns as never).expression(select as never)
    .onConflict((conflict) => conflict.columns(key as never).doUpdateSet(Object.fromEntries(updated.map((column) => [column, sql.ref(`excluded.${column}`)])) as never))
    .execute();
};
