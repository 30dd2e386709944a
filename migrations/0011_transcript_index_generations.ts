import type { Kysely } from "kysely";

/**
 * Two facts per indexed transcript file:
 * - `generation` counts the times the file was indexed again from the start (it shrank or was
 *   replaced): line numbers restart then, so a reader that cached a file's thread by its line
 *   count knows the cache is void;
 * - `is_warmup` marks the "Warmup" agent files CLI 2.0.x writes beside every session (a cache
 *   warm-up, not a subagent the user started).
 * Agent files indexed before this migration were never checked, so their rows are dropped: the
 * next scan reads them again (they are small). The index is disposable; nothing else is lost.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("history_files").addColumn("generation", "integer", (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("history_files").addColumn("is_warmup", "boolean", (col) => col.notNull().defaultTo(false)).execute();
  await db.deleteFrom("history_files").where("kind", "=", "agent").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("history_files").dropColumn("is_warmup").execute();
  await db.schema.alterTable("history_files").dropColumn("generation").execute();
}
