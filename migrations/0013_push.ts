import { sql, type Kysely } from "kysely";

/**
 * Push notifications and webhooks: who is subscribed (per token), every delivery with its
 * outcome (one row per event and subscription: the claim that keeps a push from being sent
 * twice), and the append-only record of subscribing and unsubscribing for auditors.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("push_subscriptions")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("owner", "text", (col) => col.notNull())
    .addColumn("channel", "text", (col) => col.notNull())
    .addColumn("target", "jsonb", (col) => col.notNull())
    .addColumn("target_key", "text", (col) => col.notNull())
    .addColumn("secret", "text")
    .addColumn("events", "jsonb", (col) => col.notNull())
    .addColumn("session_ids", "jsonb")
    .addColumn("after_entries", "jsonb", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("removed_at", "timestamptz")
    .addColumn("removed_reason", "text")
    .execute();
  await db.schema.createIndex("push_subscriptions_owner").on("push_subscriptions").columns(["owner"]).execute();
  // One active subscription per token and destination: an app that subscribes again on every start replaces its own.
  await db.schema.createIndex("push_subscriptions_one_per_target").on("push_subscriptions").columns(["owner", "target_key"]).unique()
    .where(sql.ref("removed_at"), "is", null).execute();
  await db.schema
    .createTable("push_deliveries")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("event_id", "text", (col) => col.notNull())
    .addColumn("subscription_id", "text", (col) => col.notNull())
    .addColumn("owner", "text", (col) => col.notNull())
    .addColumn("channel", "text", (col) => col.notNull())
    .addColumn("session_id", "text", (col) => col.notNull())
    .addColumn("prompt_id", "text")
    .addColumn("trigger", "text", (col) => col.notNull())
    .addColumn("payload", "jsonb", (col) => col.notNull())
    .addColumn("status", "text", (col) => col.notNull())
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("event_at", "timestamptz", (col) => col.notNull())
    .addColumn("next_attempt_at", "timestamptz")
    .addColumn("locked_until", "timestamptz")
    .addColumn("at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("push_deliveries_event_subscription", ["event_id", "subscription_id"])
    .execute();
  await db.schema.createIndex("push_deliveries_due").on("push_deliveries").columns(["next_attempt_at"]).where(sql.ref("status"), "=", "pending").execute();
  await db.schema.createIndex("push_deliveries_session").on("push_deliveries").columns(["session_id", "at"]).execute();
  await db.schema
    .createTable("push_subscription_audit")
    .addColumn("seq", "bigserial", (col) => col.primaryKey())
    .addColumn("at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("actor", "text", (col) => col.notNull())
    .addColumn("action", "text", (col) => col.notNull())
    .addColumn("subscription_id", "text", (col) => col.notNull())
    .addColumn("owner", "text", (col) => col.notNull())
    .addColumn("channel", "text", (col) => col.notNull())
    .addColumn("detail", "jsonb", (col) => col.notNull())
    .execute();
  // Append-only: an auditor's record is never changed or removed.
  await sql`create or replace function push_audit_append_only() returns trigger language plpgsql as $$
    begin raise exception 'push_subscription_audit is append-only'; end $$`.execute(db);
  await sql`create trigger push_audit_append_only before update or delete on push_subscription_audit
    for each row execute function push_audit_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("push_subscription_audit").execute();
  await sql`drop function if exists push_audit_append_only()`.execute(db);
  await db.schema.dropTable("push_deliveries").execute();
  await db.schema.dropTable("push_subscriptions").execute();
}
