import { sql } from "kysely";
import type { SessionStatus } from "../../events/statuses.ts";
import type { ReadModelDb } from "../projection.ts";
import { messageView, permissionView, promptView, sessionView, type MessageView, type PermissionView, type PromptView, type SessionView } from "./views.ts";

/**
 * Queue positions are derived when read (0 = running, 1.. = queued), so a start or a cancel
 * never rewrites the other queued rows. A prompt sent to steer the running job goes ahead of
 * the others until the runner writes it in, as the session's queue has it.
 */
const promptsWithPosition = (db: ReadModelDb, sessionId: string) =>
  db.selectFrom("session_prompts").selectAll()
    .select(sql<number | null>`case
      when status = 'running' then 0
      when status = 'queued' then (row_number() over (partition by session_id, status = 'queued' order by steer_into is null, enqueue_seq))::int
      else null end`.as("queue_position"))
    .where("session_id", "=", sessionId);

export interface SessionFilter {
  readonly status?: SessionStatus;
  readonly limit: number;
  readonly offset: number;
  /** false: only sessions the CLI has reported a conversation id for. */
  readonly includeUnlinked: boolean;
}

export interface MessagePageQuery {
  readonly limit: number;
  readonly before?: number;
  readonly after?: number;
  /** Show prompts cancelled before they ran, at the point they were cancelled. */
  readonly includeCancelled?: boolean;
}

/** The reads the phone's routes need, over the sessions projection's tables, as views. */
export const sessionQueries = (db: ReadModelDb) => ({
  async getSession(sessionId: string): Promise<SessionView | null> {
    const row = await db.selectFrom("claude_code_sessions").selectAll().where("id", "=", sessionId).executeTakeFirst();
    return row ? sessionView(row) : null;
  },

  async listSessions(filter: SessionFilter): Promise<{ sessions: SessionView[]; total: number }> {
    let query = db.selectFrom("claude_code_sessions");
    if (filter.status !== undefined) query = query.where("status", "=", filter.status);
    if (!filter.includeUnlinked) query = query.where("claude_code_session_id", "is not", null);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy("last_accessed_at", "desc").orderBy("id").limit(filter.limit).offset(filter.offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirst(),
    ]);
    return { sessions: rows.map((row) => sessionView(row)), total: Number(count?.n ?? 0) };
  },

  /** Finished and running prompts in the order they were sent, then the queue in the order it will run. */
  async listPrompts(sessionId: string): Promise<PromptView[]> {
    const rows = await promptsWithPosition(db, sessionId).execute();
    const rank = (position: number | null) => (position === null || position === 0 ? 0 : position);
    return rows
      .sort((a, b) => rank(a.queue_position) - rank(b.queue_position) || a.enqueue_seq - b.enqueue_seq)
      .map((row) => promptView(row, row.queue_position));
  },

  async getPrompt(sessionId: string, promptId: string): Promise<PromptView | null> {
    const row = (await promptsWithPosition(db, sessionId).execute()).find((prompt) => prompt.prompt_id === promptId);
    return row ? promptView(row, row.queue_position) : null;
  },

  /** A session's permission requests in the order they were made. */
  async listPermissions(sessionId: string): Promise<PermissionView[]> {
    const rows = await db.selectFrom("session_permissions").selectAll().where("session_id", "=", sessionId).orderBy("requested_at").orderBy("request_id").execute();
    return rows.map(permissionView);
  },

  async getPermission(sessionId: string, requestId: string): Promise<PermissionView | null> {
    const row = await db.selectFrom("session_permissions").selectAll().where("session_id", "=", sessionId).where("request_id", "=", requestId).executeTakeFirst();
    return row ? permissionView(row) : null;
  },

  /**
   * The conversation in the order turns ran: newest first; with `after`, the page right after
   * that `seq`, oldest first. A prompt cancelled before it ran is left out unless asked for.
   */
  async listMessages(sessionId: string, page: MessagePageQuery): Promise<MessageView[]> {
    let query = db.selectFrom("session_messages").selectAll().where("session_id", "=", sessionId).where("seq", "is not", null);
    if (!page.includeCancelled) query = query.where((eb) => eb.or([eb("status", "!=", "cancelled"), eb("job_id", "is not", null)]));
    if (page.before !== undefined) query = query.where("seq", "<", page.before);
    if (page.after !== undefined) query = query.where("seq", ">", page.after);
    const ordered = page.after !== undefined ? query.orderBy("seq", "asc") : query.orderBy("seq", "desc");
    return (await ordered.limit(page.limit).execute()).map(messageView);
  },

  /** Prompts waiting in the queue: not in the conversation yet. */
  async listQueuedMessages(sessionId: string): Promise<MessageView[]> {
    const rows = await db.selectFrom("session_messages").selectAll().where("session_id", "=", sessionId).where("seq", "is", null)
      .where("status", "=", "queued").orderBy("created_at").orderBy("id").execute();
    return rows.map(messageView);
  },
});

export type SessionQueries = ReturnType<typeof sessionQueries>;
