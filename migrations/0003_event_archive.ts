import type { Kysely } from "kysely";

/**
 * Every event, as stored, with its place in its partition log: what auditors query and what
 * replay reads once Redis has trimmed. The primary key is the log position, so a redelivered
 * entry cannot be archived twice; (session_id, version) is unique as the append script
 * guarantees, and serves "the history of one session" in order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("event_archive")
    .addColumn("partition", "integer", (col) => col.notNull())
    .addColumn("entry_ms", "bigint", (col) => col.notNull())
    .addColumn("entry_seq", "bigint", (col) => col.notNull())
    .addColumn("entry_id", "text", (col) => col.notNull())
    .addColumn("event_id", "text", (col) => col.notNull())
    .addColumn("session_id", "text", (col) => col.notNull())
    .addColumn("version", "integer", (col) => col.notNull())
    .addColumn("type", "text", (col) => col.notNull())
    .addColumn("schema_version", "integer", (col) => col.notNull())
    .addColumn("occurred_at", "text", (col) => col.notNull())
    .addColumn("actor", "text", (col) => col.notNull())
    // json, not jsonb: the text is kept as written (key order, and \u0000, which jsonb refuses).
    .addColumn("data", "json", (col) => col.notNull())
    .addColumn("meta", "json", (col) => col.notNull())
    .addColumn("prev_hash", "text", (col) => col.notNull())
    .addColumn("hash", "text", (col) => col.notNull())
    .addPrimaryKeyConstraint("event_archive_pkey", ["partition", "entry_ms", "entry_seq"])
    .addUniqueConstraint("event_archive_session_id_version_key", ["session_id", "version"])
    .execute();
  await db.schema.createIndex("event_archive_type_idx").on("event_archive").column("type").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("event_archive").execute();
}
