import { sql } from "kysely";
import type { ReadModelDb } from "../projection.ts";
import type { MessageRow, PermissionRow, PromptRow, SessionRow } from "./rows.ts";

export type PromptRowWithPosition = PromptRow & { queue_position: number | null };

/**
 * Queue positions are derived when read (0 = running, 1.. = queued in enqueue order), so a
 * start or a cancel never rewrites the other queued rows.
 */
const promptsWithPosition = (db: ReadModelDb, sessionId: string) =>
  db.selectFrom("session_prompts").selectAll()
    .select(sql<number | null>`case
      when status = 'running' then 0
      when status = 'queued' then (row_number() over (partition by session_id, status = 'queued' order by enqueue_seq))::int
      else null end`.as("queue_position"))
    .where("session_id", "=", sessionId);

export interface SessionFilter {
  readonly status?: SessionRow["status"];
  readonly limit: number;
  readonly offset: number;
  /** false: only sessions the CLI has reported a conversation id for. */
  readonly includeUnlinked: boolean;
}

export interface MessagePage {
  readonly limit: number;
  readonly before?: number;
  readonly after?: number;
}

/** The reads the phone's routes need, over the sessions projection's tables. */
export const sessionQueries = (db: ReadModelDb) => ({
  async getSession(sessionId: string): Promise<SessionRow | undefined> {
    return db.selectFrom("claude_code_sessions").selectAll().where("id", "=", sessionId).executeTakeFirst() as Promise<SessionRow | undefined>;
  },

  async listSessions(filter: SessionFilter): Promise<{ rows: SessionRow[]; total: number }> {
    let query = db.selectFrom("claude_code_sessions");
    if (filter.status !== undefined) query = query.where("status", "=", filter.status);
    if (!filter.includeUnlinked) query = query.where("claude_code_session_id", "is not", null);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy("last_accessed_at", "desc").orderBy("id").limit(filter.limit).offset(filter.offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirst(),
    ]);
    return { rows: rows as SessionRow[], total: Number(count?.n ?? 0) };
  },

  async listPrompts(sessionId: string): Promise<PromptRowWithPosition[]> {
    return (await promptsWithPosition(db, sessionId).orderBy("enqueue_seq").execute()) as PromptRowWithPosition[];
  },

  async getPrompt(sessionId: string, promptId: string): Promise<PromptRowWithPosition | undefined> {
    const rows = (await promptsWithPosition(db, sessionId).execute()) as PromptRowWithPosition[];
    return rows.find((row) => row.prompt_id === promptId);
  },

  /** A session's permission requests in the order they were made. */
  async listPermissions(sessionId: string): Promise<PermissionRow[]> {
    return (await db.selectFrom("session_permissions").selectAll().where("session_id", "=", sessionId).orderBy("requested_at").orderBy("request_id").execute()) as PermissionRow[];
  },

  async getPermission(sessionId: string, requestId: string): Promise<PermissionRow | undefined> {
    return (await db.selectFrom("session_permissions").selectAll().where("session_id", "=", sessionId).where("request_id", "=", requestId).executeTakeFirst()) as PermissionRow | undefined;
  },

  /** Newest first; with `after`, the page right after that sequence number, oldest first. */
  async listMessages(sessionId: string, page: MessagePage): Promise<MessageRow[]> {
    let query = db.selectFrom("session_messages").selectAll().where("session_id", "=", sessionId);
    if (page.before !== undefined) query = query.where("seq", "<", page.before);
    if (page.after !== undefined) query = query.where("seq", ">", page.after);
    const ordered = page.after !== undefined ? query.orderBy("seq", "asc") : query.orderBy("seq", "desc");
    return (await ordered.limit(page.limit).execute()) as MessageRow[];
  },
});
