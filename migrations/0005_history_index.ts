import { sql, type Kysely } from "kysely";

/**
 * Index of Claude Code's on-disk history (a read model of `~/.claude/projects`, fed by the
 * history scanner, disposable: drop it and rescan). One row per JSONL file with the session
 * facts the lists need, and one row per message line with its byte range, so a page of
 * messages is read from disk without parsing the whole file.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("history_files")
    .addColumn("id", "serial", (col) => col.primaryKey())
    .addColumn("path", "text", (col) => col.notNull().unique())
    .addColumn("project_dir", "text", (col) => col.notNull())
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("agent_id", "text")
    .addColumn("tool_use_id", "text")
    .addColumn("session_id", "text")
    .addColumn("cwd", "text")
    .addColumn("file_ino", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("size", "bigint", (col) => col.notNull().defaultTo(0))
    .addColumn("mtime_ms", "double precision", (col) => col.notNull().defaultTo(0))
    .addColumn("scanned_bytes", "bigint", (col) => col.notNull().defaultTo(0))
    .addColumn("line_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("message_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("invalid_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("unknown_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("truncated_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("first_ts", "timestamptz")
    .addColumn("last_ts", "timestamptz")
    .addColumn("first_prompt", "text")
    .addColumn("last_prompt", "text")
    .addColumn("custom_title", "text")
    .addColumn("ai_title", "text")
    .addColumn("summary", "text")
    .addColumn("cli_version", "text")
    .addColumn("git_branch", "text")
    .addColumn("leaf_uuid", "text")
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("history_files_session_idx").on("history_files").columns(["session_id", "kind"]).execute();
  await db.schema.createIndex("history_files_cwd_idx").on("history_files").columns(["cwd", "last_ts"]).execute();

  await db.schema
    .createTable("history_lines")
    .addColumn("file_id", "integer", (col) => col.notNull().references("history_files.id").onDelete("cascade"))
    .addColumn("line_no", "integer", (col) => col.notNull())
    .addColumn("byte_offset", "bigint", (col) => col.notNull())
    .addColumn("byte_length", "integer", (col) => col.notNull())
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("uuid", "text")
    .addColumn("parent_uuid", "text")
    .addColumn("logical_parent_uuid", "text")
    .addColumn("flags", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("agent_id", "text")
    .addColumn("message_id", "text")
    .addColumn("parent_tool_use_id", "text")
    .addColumn("ts", "timestamptz")
    .addPrimaryKeyConstraint("history_lines_pkey", ["file_id", "line_no"])
    .execute();
  // No index on uuid: it would slow every insert, and only summary titles (rare, 1.0.x) join on it.

  /** `summary` lines name the thread ending at `leafUuid`, which can live in another file. */
  await db.schema
    .createTable("history_summaries")
    .addColumn("file_id", "integer", (col) => col.notNull().references("history_files.id").onDelete("cascade"))
    .addColumn("line_no", "integer", (col) => col.notNull())
    .addColumn("leaf_uuid", "text", (col) => col.notNull())
    .addColumn("summary", "text", (col) => col.notNull())
    .addPrimaryKeyConstraint("history_summaries_pkey", ["file_id", "line_no"])
    .execute();
  await db.schema.createIndex("history_summaries_leaf_idx").on("history_summaries").column("leaf_uuid").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("history_summaries").execute();
  await db.schema.dropTable("history_lines").execute();
  await db.schema.dropTable("history_files").execute();
}
