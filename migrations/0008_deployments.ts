import type { Kysely } from "kysely";

/**
 * The deployment marker as Postgres remembers it, per Redis key prefix: a Redis that comes back
 * without the marker Postgres knows has lost its data (DESIGN §3 "Durability").
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("deployments")
    .addColumn("key_prefix", "text", (col) => col.primaryKey())
    .addColumn("marker", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("deployments").execute();
}
