import type { Kysely } from "kysely";

const ORDER = ["entry_ms", "partition", "entry_seq"];

/**
 * Indexes for the auditors' queries over `event_archive`. Pages run in log-time order (entry
 * time, then partition, then sequence: a total order, so a cursor is stable), alone or after
 * an equality on session, actor or type; hence the order columns behind each of those. Plus
 * time ranges and finding one event by its id.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("event_archive_audit_order_idx").on("event_archive").columns(ORDER).execute();
  await db.schema.createIndex("event_archive_audit_session_idx").on("event_archive").columns(["session_id", ...ORDER]).execute();
  await db.schema.createIndex("event_archive_audit_actor_idx").on("event_archive").columns(["actor", ...ORDER]).execute();
  await db.schema.createIndex("event_archive_audit_type_idx").on("event_archive").columns(["type", ...ORDER]).execute();
  await db.schema.createIndex("event_archive_occurred_at_idx").on("event_archive").column("occurred_at").execute();
  await db.schema.createIndex("event_archive_event_id_idx").on("event_archive").column("event_id").execute();
}

const names = [
  "event_archive_event_id_idx", "event_archive_occurred_at_idx", "event_archive_audit_type_idx",
  "event_archive_audit_actor_idx", "event_archive_audit_session_idx", "event_archive_audit_order_idx",
];

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of names) {
    await db.schema.dropIndex(name).execute();
  }
}
