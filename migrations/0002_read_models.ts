import { sql, type Kysely } from "kysely";

/**
 * The phone's read models. `claude_code_sessions` and `session_messages` keep the columns of
 * the original backend (parity) and add what the event-sourced side needs: per-session message
 * sequence numbers for paging, content blocks, and the prompt queue with job outcomes.
 * Index names follow Postgres's own `<table>_<column>_idx` pattern, so a rebuilt copy made with
 * `CREATE TABLE ... (LIKE ... INCLUDING ALL)` carries the same names after a replay swap.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createType("session_status").asEnum(["active", "inactive", "archived"]).execute();

  await db.schema
    .createTable("claude_code_sessions")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("project_path", "text", (col) => col.notNull())
    .addColumn("context", "text")
    .addColumn("status", sql`session_status`, (col) => col.notNull().defaultTo("active"))
    .addColumn("claude_directory_path", "text", (col) => col.notNull())
    .addColumn("claude_code_session_id", "text")
    .addColumn("metadata", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("created_at", "timestamptz", (col) => col.notNull())
    .addColumn("updated_at", "timestamptz", (col) => col.notNull())
    .addColumn("last_accessed_at", "timestamptz", (col) => col.notNull())
    .addColumn("is_working", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("current_job_id", "text")
    .addColumn("last_job_status", "text")
    // Projection bookkeeping: the running prompt, the session version last applied, and the
    // newest message (consecutive CLI frames of one API message merge into it).
    .addColumn("current_prompt_id", "text")
    .addColumn("version", "integer", (col) => col.notNull())
    .addColumn("message_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("last_message_id", "text")
    .addColumn("last_message_key", "text")
    .execute();
  for (const column of ["status", "last_accessed_at", "is_working"]) {
    await db.schema.createIndex(`claude_code_sessions_${column}_idx`).on("claude_code_sessions").column(column).execute();
  }

  await db.schema
    .createTable("session_prompts")
    .addColumn("session_id", "text", (col) => col.notNull().references("claude_code_sessions.id").onDelete("cascade"))
    .addColumn("prompt_id", "text", (col) => col.notNull())
    .addColumn("message_id", "text", (col) => col.notNull())
    .addColumn("prompt", "text", (col) => col.notNull())
    .addColumn("status", "text", (col) => col.notNull())
    // The session version of PromptEnqueued: queue order. Positions are derived when read.
    .addColumn("enqueue_seq", "integer", (col) => col.notNull())
    .addColumn("job_id", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull())
    .addColumn("started_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .addColumn("cancel_requested_at", "timestamptz")
    .addColumn("exit_code", "integer")
    .addColumn("cost_usd", "double precision")
    .addColumn("usage", "jsonb")
    .addColumn("num_turns", "integer")
    .addColumn("duration_ms", "double precision")
    .addColumn("result_subtype", "text")
    .addColumn("error", "text")
    .addPrimaryKeyConstraint("session_prompts_pkey", ["session_id", "prompt_id"])
    .execute();
  await db.schema.createIndex("session_prompts_session_id_status_enqueue_seq_idx").on("session_prompts").columns(["session_id", "status", "enqueue_seq"]).execute();

  await db.schema
    .createTable("session_messages")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("session_id", "text", (col) => col.notNull().references("claude_code_sessions.id").onDelete("cascade"))
    .addColumn("text", "text", (col) => col.notNull())
    .addColumn("type", "text", (col) => col.notNull().check(sql`type in ('user', 'assistant')`))
    .addColumn("claude_session_id", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull())
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("prompt_id", "text")
    .addColumn("job_id", "text")
    .addColumn("content", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addUniqueConstraint("session_messages_session_id_seq_key", ["session_id", "seq"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("session_messages").execute();
  await db.schema.dropTable("session_prompts").execute();
  await db.schema.dropTable("claude_code_sessions").execute();
  await db.schema.dropType("session_status").execute();
}
