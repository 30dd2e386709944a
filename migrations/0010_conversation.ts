import type { Kysely } from "kysely";

/**
 * The conversation in the order turns ran: a message's `seq` is given when its turn starts (a
 * queued prompt's message has none yet), and a user message says whether it is `queued`,
 * `sent` or `cancelled`. Prompts say whether they ended in error and which job a steering one
 * was sent into; sessions add up what their jobs cost.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("session_messages").alterColumn("seq", (col) => col.dropNotNull()).execute();
  await db.schema.alterTable("session_messages").addColumn("status", "text", (col) => col.notNull().defaultTo("sent")).execute();
  await db.schema.alterTable("session_prompts").addColumn("steer_into", "text").execute();
  await db.schema.alterTable("session_prompts").addColumn("is_error", "boolean", (col) => col.notNull().defaultTo(false)).execute();
  await db.schema.alterTable("claude_code_sessions").addColumn("cost_usd", "double precision", (col) => col.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("claude_code_sessions").dropColumn("cost_usd").execute();
  await db.schema.alterTable("session_prompts").dropColumn("is_error").execute();
  await db.schema.alterTable("session_prompts").dropColumn("steer_into").execute();
  await db.schema.alterTable("session_messages").dropColumn("status").execute();
  await db.schema.alterTable("session_messages").alterColumn("seq", (col) => col.setNotNull()).execute();
}
