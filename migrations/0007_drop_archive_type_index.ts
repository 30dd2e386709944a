import type { Kysely } from "kysely";

/**
 * `event_archive_type_idx` (type) is the leading column of `event_archive_audit_type_idx`
 * (type, entry_ms, partition, entry_seq), which serves every query by type: the narrower index
 * only cost each archived event one more index insert.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("event_archive_type_idx").ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("event_archive_type_idx").on("event_archive").column("type").execute();
}
