import { sql, type Kysely } from "kysely";

/**
 * Approvals as the phone reads them: every permission request of a session with its outcome,
 * and on the session row the number still pending and the "always allow" rules.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("session_permissions")
    .addColumn("session_id", "text", (col) => col.notNull().references("claude_code_sessions.id").onDelete("cascade"))
    .addColumn("request_id", "text", (col) => col.notNull())
    .addColumn("prompt_id", "text")
    .addColumn("job_id", "text", (col) => col.notNull())
    .addColumn("tool_name", "text", (col) => col.notNull())
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("input", "jsonb", (col) => col.notNull())
    .addColumn("status", "text", (col) => col.notNull())
    .addColumn("suggestions", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("description", "text")
    .addColumn("requested_at", "timestamptz", (col) => col.notNull())
    .addColumn("decided_at", "timestamptz")
    .addColumn("decided_by", "text")
    .addColumn("decision", "text")
    .addColumn("message", "text")
    .addColumn("answers", "jsonb")
    .addPrimaryKeyConstraint("session_permissions_pkey", ["session_id", "request_id"])
    .execute();
  await db.schema.alterTable("claude_code_sessions").addColumn("pending_permissions", "integer", (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("claude_code_sessions").addColumn("permission_rules", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("claude_code_sessions").dropColumn("permission_rules").execute();
  await db.schema.alterTable("claude_code_sessions").dropColumn("pending_permissions").execute();
  await db.schema.dropTable("session_permissions").execute();
}
