import { sql } from "kysely";
import type { EventType, KnownEvent } from "../../events/registry.ts";
import type { ProjectedEvent, ReadModelDb, TypedProjection } from "../projection.ts";
import { applyEvent, emptyBatchState, rowKey, type BatchState } from "./applyEvent.ts";
import { upsertJsonRows } from "../jsonRows.ts";

const handles: readonly EventType[] = [
  "SessionCreated", "SessionUpdated", "SessionDeleted", "ClaudeSessionLinked", "TurnsImported", "ConversationReset",
  "PromptEnqueued", "PromptSteered", "PromptCancelRequested", "PromptCancelled",
  "JobStarted", "RunnerEventEmitted", "JobCompleted", "JobFailed", "JobCancelled",
  "PermissionRequested", "PermissionDecided", "PermissionExpired", "PermissionCancelled", "PermissionRulesSet",
];

const promptIdOf = (event: KnownEvent): string | null =>
  "promptId" in event.data && typeof event.data.promptId === "string" ? event.data.promptId : null;
const requestIdOf = (event: KnownEvent): string | null =>
  "requestId" in event.data && typeof event.data.requestId === "string" ? event.data.requestId : null;

const jobEnds = new Set<EventType>(["JobCompleted", "JobFailed", "JobCancelled"]);
const messageMoves = new Set<EventType>(["JobStarted", "PromptSteered", "PromptCancelled", "JobCancelled"]);

const any = (values: readonly string[]) => sql<string>`any(${[...values]}::text[])`;

/** One query per table for every row the batch can touch: no per-event round trips. */
const load = async (events: readonly KnownEvent[], db: ReadModelDb): Promise<BatchState> => {
  const state = emptyBatchState();
  const sessionIds = [...new Set(events.map((event) => event.sessionId))];
  const promptIds = [...new Set(events.flatMap((event) => promptIdOf(event) ?? []))];
  const sessions = await db.selectFrom("claude_code_sessions").selectAll().where("id", "=", any(sessionIds)).execute();
  for (const row of sessions) state.sessions.set(row.id, row);
  if (promptIds.length > 0 && sessions.length > 0) {
    const prompts = await db.selectFrom("session_prompts").selectAll()
      .where("session_id", "=", any(sessions.map((row) => row.id))).where("prompt_id", "=", any(promptIds)).execute();
    for (const row of prompts) state.prompts.set(rowKey(row.session_id, row.prompt_id), row);
  }
  // A job's end also ends the prompts steered into it.
  const endedJobs = [...new Set(events.flatMap((event) => (jobEnds.has(event.type) && "jobId" in event.data ? [String(event.data.jobId)] : [])))];
  if (endedJobs.length > 0 && sessions.length > 0) {
    const steered = await db.selectFrom("session_prompts").selectAll()
      .where("session_id", "=", any(sessions.map((row) => row.id))).where("job_id", "=", any(endedJobs)).where("status", "=", "running").execute();
    for (const row of steered) state.prompts.set(rowKey(row.session_id, row.prompt_id), row);
  }
  const requestIds = [...new Set(events.flatMap((event) => requestIdOf(event) ?? []))];
  if (requestIds.length > 0 && sessions.length > 0) {
    const permissions = await db.selectFrom("session_permissions").selectAll()
      .where("session_id", "=", any(sessions.map((row) => row.id))).where("request_id", "=", any(requestIds)).execute();
    for (const row of permissions) state.permissions.set(rowKey(row.session_id, row.request_id), row);
  }
  // A prompt's message joins the conversation (or is marked cancelled) when its turn starts or ends.
  if (events.some((event) => messageMoves.has(event.type))) {
    const messageIds = [...state.prompts.values()].map((prompt) => prompt.message_id);
    if (messageIds.length > 0) {
      const messages = await db.selectFrom("session_messages").selectAll().where("id", "=", any(messageIds)).execute();
      for (const row of messages) state.messages.set(row.id, row);
    }
  }
  // Only a session's newest message can be extended (frames of one API message merge).
  const lastIds = [...state.sessions.values()].flatMap((row) => (row.last_message_key ? [row.last_message_id ?? ""] : []));
  if (lastIds.length > 0 && events.some((event) => event.type === "RunnerEventEmitted" || event.type === "TurnsImported")) {
    const messages = await db.selectFrom("session_messages").selectAll().where("id", "=", any(lastIds)).execute();
    for (const row of messages) state.messages.set(row.id, row);
  }
  return state;
};

const write = async (state: BatchState, db: ReadModelDb) => {
  const alive = (sessionId: string) => state.sessions.has(sessionId);
  const sessions = [...state.dirty.sessions].flatMap((id) => state.sessions.get(id) ?? []);
  const prompts = [...state.dirty.prompts].flatMap((key) => state.prompts.get(key) ?? []).filter((row) => alive(row.session_id));
  const messages = [...state.dirty.messages].flatMap((id) => state.messages.get(id) ?? []).filter((row) => alive(row.session_id));
  const permissions = [...state.dirty.permissions].flatMap((key) => state.permissions.get(key) ?? []).filter((row) => alive(row.session_id));
  await upsertJsonRows(db, "claude_code_sessions", ["id"], sessions);
  await upsertJsonRows(db, "session_prompts", ["session_id", "prompt_id"], prompts);
  await upsertJsonRows(db, "session_messages", ["id"], messages);
  await upsertJsonRows(db, "session_permissions", ["session_id", "request_id"], permissions);
  // Deleting the session removes its prompts and messages (ON DELETE CASCADE).
  if (state.deleted.size > 0) await db.deleteFrom("claude_code_sessions").where("id", "=", any([...state.deleted])).execute();
};

/**
 * Sessions, their prompt queue with job outcomes, and the conversation messages: one
 * projection because messages and prompts reference their session (a foreign key needs the
 * session row written first, which one consumer group per projection guarantees).
 */
export const sessionsProjection: TypedProjection = {
  name: "sessions",
  handles,
  tables: ["claude_code_sessions", "session_prompts", "session_messages", "session_permissions"],
  async handle(events: readonly ProjectedEvent[], db: ReadModelDb) {
    const known = events.map((projected) => projected.event);
    const state = await load(known, db);
    for (const event of known) applyEvent(state, event);
    await write(state, db);
  },
};
