import type { EventByType, EventType, KnownEvent } from "../../events/registry.ts";
import { frameMessage } from "./messageContent.ts";
import type { MessageRow, PromptRow, SessionRow } from "./rows.ts";

/** The rows one batch touches, folded in memory and written once at the end. */
export interface BatchState {
  readonly sessions: Map<string, SessionRow>;
  readonly prompts: Map<string, PromptRow>;
  readonly messages: Map<string, MessageRow>;
  readonly deleted: Set<string>;
  readonly dirty: { sessions: Set<string>; prompts: Set<string>; messages: Set<string> };
}

export const promptKey = (sessionId: string, promptId: string): string => `${sessionId}\u0000${promptId}`;

export const emptyBatchState = (): BatchState => ({
  sessions: new Map(),
  prompts: new Map(),
  messages: new Map(),
  deleted: new Set(),
  dirty: { sessions: new Set(), prompts: new Set(), messages: new Set() },
});

type Ctx = { readonly state: BatchState; readonly session: SessionRow; readonly at: string; readonly version: number; readonly eventId: string };
type Handler<T extends EventType> = (ctx: Ctx, data: EventByType<T>["data"]) => void;

const touchPrompt = (ctx: Ctx, promptId: string, patch: Partial<PromptRow>) => {
  const key = promptKey(ctx.session.id, promptId);
  const prompt = ctx.state.prompts.get(key);
  if (!prompt) return;
  ctx.state.prompts.set(key, { ...prompt, ...patch });
  ctx.state.dirty.prompts.add(key);
};

const putMessage = (ctx: Ctx, row: MessageRow) => {
  ctx.state.messages.set(row.id, row);
  ctx.state.dirty.messages.add(row.id);
};

/** A job ended: the prompt records its outcome and, if it was the running job, the session is idle. */
const endJob = (ctx: Ctx, data: { jobId: string; promptId: string }, status: "completed" | "failed" | "cancelled", patch: Partial<PromptRow>) => {
  touchPrompt(ctx, data.promptId, { status, finished_at: ctx.at, ...patch });
  const { session } = ctx;
  session.last_job_status = status;
  session.updated_at = ctx.at;
  if (session.current_job_id === data.jobId) {
    session.is_working = false;
    session.current_job_id = null;
    session.current_prompt_id = null;
  }
};

const runnerEvent: Handler<"RunnerEventEmitted"> = (ctx, data) => {
  const message = frameMessage(data.kind, data.message);
  if (!message) return;
  const { session } = ctx;
  const key = message.apiMessageId ? `${data.jobId}:${message.apiMessageId}` : null;
  const last = session.last_message_id ? ctx.state.messages.get(session.last_message_id) : undefined;
  if (key !== null && key === session.last_message_key && last) {
    // The CLI prints one frame per content block; frames of one API message form one message.
    const content = [...last.content, ...message.blocks];
    putMessage(ctx, { ...last, content, text: [last.text, message.text].filter((text) => text.length > 0).join("\n") });
    return;
  }
  session.message_count += 1;
  session.last_message_id = ctx.eventId;
  session.last_message_key = key;
  putMessage(ctx, {
    id: ctx.eventId,
    session_id: session.id,
    text: message.text,
    type: message.role,
    claude_session_id: message.claudeSessionId ?? session.claude_code_session_id,
    created_at: ctx.at,
    seq: session.message_count,
    prompt_id: session.current_job_id === data.jobId ? session.current_prompt_id : null,
    job_id: data.jobId,
    content: [...message.blocks],
  });
};

const handlers: { [T in EventType]?: Handler<T> } = {
  SessionUpdated: ({ session, at }, data) => {
    if (data.context !== undefined) session.context = data.context;
    if (data.metadata !== undefined) session.metadata = { ...data.metadata };
    if (data.status !== undefined) session.status = data.status;
    session.updated_at = at;
  },
  ClaudeSessionLinked: ({ session, at }, data) => {
    session.claude_code_session_id = data.claudeSessionId;
    session.updated_at = at;
  },
  PromptEnqueued: (ctx, data) => {
    const { session, at, state } = ctx;
    const key = promptKey(session.id, data.promptId);
    state.prompts.set(key, {
      session_id: session.id, prompt_id: data.promptId, message_id: data.messageId, prompt: data.prompt, status: "queued",
      enqueue_seq: ctx.version, job_id: null, created_at: at, started_at: null, finished_at: null, cancel_requested_at: null,
      exit_code: null, cost_usd: null, usage: null, num_turns: null, duration_ms: null, result_subtype: null, error: null,
    });
    state.dirty.prompts.add(key);
    session.message_count += 1;
    session.last_message_id = data.messageId;
    session.last_message_key = null;
    session.last_accessed_at = at;
    session.updated_at = at;
    putMessage(ctx, {
      id: data.messageId, session_id: session.id, text: data.prompt, type: "user", claude_session_id: session.claude_code_session_id,
      created_at: at, seq: session.message_count, prompt_id: data.promptId, job_id: null, content: [{ type: "text", text: data.prompt }],
    });
  },
  PromptCancelRequested: (ctx, data) => touchPrompt(ctx, data.promptId, { cancel_requested_at: ctx.at }),
  PromptCancelled: (ctx, data) => touchPrompt(ctx, data.promptId, { status: "cancelled", finished_at: ctx.at, error: data.reason }),
  JobStarted: (ctx, data) => {
    touchPrompt(ctx, data.promptId, { status: "running", job_id: data.jobId, started_at: ctx.at });
    Object.assign(ctx.session, { is_working: true, current_job_id: data.jobId, current_prompt_id: data.promptId, updated_at: ctx.at });
  },
  RunnerEventEmitted: runnerEvent,
  JobCompleted: (ctx, data) =>
    endJob(ctx, data, "completed", {
      exit_code: data.exitCode, cost_usd: data.costUsd ?? null, usage: data.usage ? { ...data.usage } : null,
      num_turns: data.numTurns ?? null, duration_ms: data.durationMs ?? null, result_subtype: data.resultSubtype,
      error: data.isError ? (data.resultText ?? data.resultSubtype) : null,
    }),
  JobFailed: (ctx, data) =>
    endJob(ctx, data, "failed", { exit_code: data.exitCode ?? null, error: data.message ? `${data.reason}: ${data.message}` : data.reason }),
  JobCancelled: (ctx, data) => endJob(ctx, data, "cancelled", { exit_code: data.exitCode ?? null }),
};

const created = (event: Extract<KnownEvent, { type: "SessionCreated" }>): SessionRow => ({
  id: event.sessionId, project_path: event.data.projectPath, context: event.data.context, status: "active",
  claude_directory_path: event.data.claudeDirectoryPath, claude_code_session_id: null, metadata: { ...event.data.metadata },
  created_at: event.occurredAt, updated_at: event.occurredAt, last_accessed_at: event.occurredAt, is_working: false,
  current_job_id: null, last_job_status: null, current_prompt_id: null, version: event.version, message_count: 0,
  last_message_id: null, last_message_key: null,
});

/**
 * Folds one event into the batch. Events of sessions that have no row (never created, or
 * deleted) change nothing, and neither does an event at or below the row's version.
 */
export const applyEvent = (state: BatchState, event: KnownEvent): void => {
  const id = event.sessionId;
  if (event.type === "SessionCreated") {
    if (state.sessions.has(id) || state.deleted.has(id)) return;
    state.sessions.set(id, created(event));
    state.dirty.sessions.add(id);
    return;
  }
  const session = state.sessions.get(id);
  if (!session || event.version <= session.version) return;
  session.version = event.version;
  state.dirty.sessions.add(id);
  if (event.type === "SessionDeleted") {
    state.sessions.delete(id);
    state.deleted.add(id);
    return;
  }
  const handler = handlers[event.type] as Handler<typeof event.type> | undefined;
  handler?.({ state, session, at: event.occurredAt, version: event.version, eventId: event.eventId }, event.data as never);
};
