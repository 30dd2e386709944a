import type { Kysely } from "kysely";

/** Where each projection stands in each partition log; written with the rows it covers. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("projection_checkpoints")
    .addColumn("projection", "text", (col) => col.notNull())
    .addColumn("partition", "integer", (col) => col.notNull())
    .addColumn("entry_id", "text", (col) => col.notNull())
    .addColumn("updated_at", "timestamptz", (col) => col.notNull())
    .addPrimaryKeyConstraint("projection_checkpoints_pkey", ["projection", "partition"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("projection_checkpoints").execute();
}
