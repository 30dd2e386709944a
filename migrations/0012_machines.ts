import type { Kysely } from "kysely";

/** The machine a session belongs to (its runner runs the prompts there); null for sessions from before machines. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("claude_code_sessions").addColumn("machine_id", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("claude_code_sessions").dropColumn("machine_id").execute();
}
