import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase } from "../support/postgres.ts";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

it("migrates a fresh schema to the latest version and records every migration", async () => {
  const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
  expect(applied.rows.map((row) => row.name)).toContain("0001_projection_checkpoints");
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = ${database.schema}`.execute(database.db);
  expect(tables.rows.map((row) => row.table_name)).toContain("projection_checkpoints");
});
