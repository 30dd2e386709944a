import type { Envelope } from "../../events/envelope.ts";
import { decodeEvent, type EventByType, type EventType, type KnownEvent } from "../../events/registry.ts";
import { frameMessage } from "./messageContent.ts";
import type { JobOutcome } from "../../events/statuses.ts";
import type { MessageRow, PermissionRow, PromptRow, SessionRow } from "./tables.ts";

/** The rows one batch touches, folded in memory and written once at the end. */
export interface BatchState {
  readonly sessions: Map<string, SessionRow>;
  readonly prompts: Map<string, PromptRow>;
  readonly messages: Map<string, MessageRow>;
  readonly permissions: Map<string, PermissionRow>;
  readonly deleted: Set<string>;
  readonly dirty: { sessions: Set<string>; prompts: Set<string>; messages: Set<string>; permissions: Set<string> };
}

/** The batch key of a row that belongs to a session (a prompt, a permission request). */
export const rowKey = (sessionId: string, id: string): string => `${sessionId}\u0000${id}`;

export const emptyBatchState = (): BatchState => ({
  sessions: new Map(),
  prompts: new Map(),
  messages: new Map(),
  permissions: new Map(),
  deleted: new Set(),
  dirty: { sessions: new Set(), prompts: new Set(), messages: new Set(), permissions: new Set() },
});

type Ctx = {
  readonly state: BatchState; readonly session: SessionRow; readonly at: string; readonly version: number; readonly eventId: string;
  /** Who caused the event: who decided a permission. */
  readonly actor: string;
};
type Handler<T extends EventType> = (ctx: Ctx, data: EventByType<T>["data"]) => void;

const touchPrompt = (ctx: Ctx, promptId: string, patch: Partial<PromptRow>) => {
  const key = rowKey(ctx.session.id, promptId);
  const prompt = ctx.state.prompts.get(key);
  if (!prompt) return;
  ctx.state.prompts.set(key, { ...prompt, ...patch });
  ctx.state.dirty.prompts.add(key);
};

/** A permission request got its outcome: it leaves the session's pending count. */
const resolvePermission = (ctx: Ctx, requestId: string, patch: Partial<PermissionRow>) => {
  const key = rowKey(ctx.session.id, requestId);
  const row = ctx.state.permissions.get(key);
  if (!row) return;
  if (row.status === "pending") ctx.session.pending_permissions = Math.max(0, ctx.session.pending_permissions - 1);
  ctx.state.permissions.set(key, { ...row, ...patch, decided_at: ctx.at, decided_by: ctx.actor });
  ctx.state.dirty.permissions.add(key);
};

const permissionHandlers: { [T in "PermissionRequested" | "PermissionDecided" | "PermissionExpired" | "PermissionCancelled" | "PermissionRulesSet"]: Handler<T> } = {
  PermissionRequested: (ctx, data) => {
    const { session, state } = ctx;
    const key = rowKey(session.id, data.requestId);
    state.permissions.set(key, {
      session_id: session.id, request_id: data.requestId, job_id: data.jobId,
      prompt_id: session.current_job_id === data.jobId ? session.current_prompt_id : null,
      tool_name: data.toolName, kind: data.kind, input: { ...data.input }, status: "pending", suggestions: [...(data.suggestions ?? [])],
      description: data.description ?? null, requested_at: ctx.at, decided_at: null, decided_by: null, decision: null, message: null, answers: null,
    });
    state.dirty.permissions.add(key);
    session.pending_permissions += 1;
    session.updated_at = ctx.at;
  },
  PermissionDecided: (ctx, data) => {
    const decision = data.behavior === "deny" ? "deny" : data.always === true ? "allow_always" : "allow";
    resolvePermission(ctx, data.requestId, {
      status: data.behavior === "deny" ? "denied" : "allowed", decision, message: data.message ?? null, answers: data.answers ? { ...data.answers } : null,
    });
    if (data.rules) ctx.session.permission_rules = [...new Set([...ctx.session.permission_rules, ...data.rules])];
    ctx.session.updated_at = ctx.at;
  },
  PermissionExpired: (ctx, data) => resolvePermission(ctx, data.requestId, { status: "expired", message: data.message }),
  PermissionCancelled: (ctx, data) => resolvePermission(ctx, data.requestId, { status: "cancelled", message: data.reason }),
  PermissionRulesSet: ({ session, at }, data) => {
    session.permission_rules = [...data.rules];
    session.updated_at = at;
  },
};

const putMessage = (ctx: Ctx, row: MessageRow) => {
  ctx.state.messages.set(row.id, row);
  ctx.state.dirty.messages.add(row.id);
};

/**
 * A prompt's user message joins the conversation, in the order turns ran: it gets the next
 * `seq` when its turn starts, when it is steered into a running turn, or (kept out of the
 * conversation unless asked for) when it is cancelled before it ran.
 */
const enterConversation = (ctx: Ctx, promptId: string, status: "sent" | "cancelled", jobId: string | null) => {
  const prompt = ctx.state.prompts.get(rowKey(ctx.session.id, promptId));
  const message = prompt ? ctx.state.messages.get(prompt.message_id) : undefined;
  if (!message || message.seq !== null) return;
  const { session } = ctx;
  session.message_count += 1;
  session.last_message_id = message.id;
  session.last_message_key = null;
  putMessage(ctx, { ...message, seq: session.message_count, status, job_id: jobId });
};

/** A prompt that ran was cancelled: its message stays in the conversation, marked. */
const markCancelled = (ctx: Ctx, promptId: string) => {
  const prompt = ctx.state.prompts.get(rowKey(ctx.session.id, promptId));
  const message = prompt ? ctx.state.messages.get(prompt.message_id) : undefined;
  if (message) putMessage(ctx, { ...message, status: "cancelled" });
};

const CANCELLED_BY_USER = "cancelled_by_user";

/**
 * A job ended: its prompt records the outcome (with the prompts steered into it) and, if it
 * was the running job, the session is idle.
 */
const endJob = (ctx: Ctx, data: { jobId: string; promptId: string }, status: JobOutcome, patch: Partial<PromptRow>) => {
  const { session } = ctx;
  const steered = [...ctx.state.prompts.values()].filter((prompt) =>
    prompt.session_id === session.id && prompt.job_id === data.jobId && prompt.status === "running" && prompt.prompt_id !== data.promptId);
  touchPrompt(ctx, data.promptId, { status, finished_at: ctx.at, ...patch });
  // Steered prompts share the job's outcome but not its cost (it is the job's prompt's).
  for (const prompt of steered) touchPrompt(ctx, prompt.prompt_id, { status, finished_at: ctx.at, is_error: patch.is_error ?? false, error: patch.error ?? null });
  if (status === "cancelled") for (const promptId of [data.promptId, ...steered.map((prompt) => prompt.prompt_id)]) markCancelled(ctx, promptId);
  session.last_job_status = status;
  session.updated_at = ctx.at;
  session.cost_usd += patch.cost_usd ?? 0;
  if (session.current_job_id === data.jobId) {
    session.is_working = false;
    session.current_job_id = null;
    session.current_prompt_id = null;
  }
};

/** `<code>` or `<code>: <detail>`: one convention for every prompt that did not complete normally. */
const errorText = (code: string, detail: string | undefined) => (detail ? `${code}: ${detail}` : code);

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
    status: "sent",
    claude_session_id: message.claudeSessionId ?? session.claude_code_session_id,
    created_at: ctx.at,
    seq: session.message_count,
    prompt_id: session.current_job_id === data.jobId ? session.current_prompt_id : null,
    job_id: data.jobId,
    content: [...message.blocks],
  });
};

/**
 * The earlier turns of a conversation begun elsewhere: they open the session's conversation,
 * in their order, lines of one API response merged into one message as the runner's are.
 */
const turnsImported: Handler<"TurnsImported"> = (ctx, data) => {
  const { session } = ctx;
  for (const imported of data.messages) {
    const key = imported.apiMessageId === null ? null : `import:${imported.apiMessageId}`;
    const last = session.last_message_id ? ctx.state.messages.get(session.last_message_id) : undefined;
    const blocks = imported.content.map((block) => ({ ...(block as Record<string, unknown>) }));
    if (key !== null && key === session.last_message_key && last) {
      putMessage(ctx, { ...last, content: [...last.content, ...blocks], text: [last.text, imported.text].filter((text) => text.length > 0).join("\n") });
      continue;
    }
    session.message_count += 1;
    const id = `${session.id}:${imported.uuid}`;
    session.last_message_id = id;
    session.last_message_key = key;
    putMessage(ctx, {
      id, session_id: session.id, text: imported.text, type: imported.role, status: "sent", claude_session_id: data.claudeSessionId,
      created_at: imported.at ?? ctx.at, seq: session.message_count, prompt_id: null, job_id: null, content: blocks,
    });
  }
  session.updated_at = ctx.at;
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
  TurnsImported: turnsImported,
  ConversationReset: ({ session, at }) => {
    session.claude_code_session_id = null;
    session.updated_at = at;
  },
  PromptEnqueued: (ctx, data) => {
    const { session, at, state } = ctx;
    const key = rowKey(session.id, data.promptId);
    state.prompts.set(key, {
      session_id: session.id, prompt_id: data.promptId, message_id: data.messageId, prompt: data.prompt, status: "queued",
      enqueue_seq: ctx.version, steer_into: data.steerInto ?? null, job_id: null, created_at: at, started_at: null, finished_at: null,
      cancel_requested_at: null, exit_code: null, cost_usd: null, usage: null, num_turns: null, duration_ms: null, result_subtype: null,
      is_error: false, error: null,
    });
    state.dirty.prompts.add(key);
    session.last_accessed_at = at;
    session.updated_at = at;
    // Not in the conversation yet: it joins when its turn starts.
    putMessage(ctx, {
      id: data.messageId, session_id: session.id, text: data.prompt, type: "user", status: "queued", claude_session_id: session.claude_code_session_id,
      created_at: at, seq: null, prompt_id: data.promptId, job_id: null, content: [{ type: "text", text: data.prompt }],
    });
  },
  PromptSteered: (ctx, data) => {
    touchPrompt(ctx, data.promptId, { status: "running", job_id: data.jobId, started_at: ctx.at });
    enterConversation(ctx, data.promptId, "sent", data.jobId);
  },
  PromptCancelRequested: (ctx, data) => touchPrompt(ctx, data.promptId, { cancel_requested_at: ctx.at }),
  PromptCancelled: (ctx, data) => {
    touchPrompt(ctx, data.promptId, { status: "cancelled", finished_at: ctx.at, error: data.reason });
    enterConversation(ctx, data.promptId, "cancelled", null);
  },
  JobStarted: (ctx, data) => {
    touchPrompt(ctx, data.promptId, { status: "running", job_id: data.jobId, started_at: ctx.at });
    Object.assign(ctx.session, { is_working: true, current_job_id: data.jobId, current_prompt_id: data.promptId, updated_at: ctx.at });
    enterConversation(ctx, data.promptId, "sent", data.jobId);
  },
  RunnerEventEmitted: runnerEvent,
  JobCompleted: (ctx, data) =>
    endJob(ctx, data, "completed", {
      exit_code: data.exitCode, cost_usd: data.jobCostUsd ?? data.costUsd ?? null, usage: data.usage ? { ...data.usage } : null,
      num_turns: data.numTurns ?? null, duration_ms: data.durationMs ?? null, result_subtype: data.resultSubtype, is_error: data.isError,
      // API errors come as a `success` result with is_error.
      error: data.isError ? errorText(data.resultSubtype === "success" ? "api_error" : data.resultSubtype, data.resultText) : null,
    }),
  JobFailed: (ctx, data) => endJob(ctx, data, "failed", { exit_code: data.exitCode ?? null, is_error: true, error: errorText(data.reason, data.message) }),
  JobCancelled: (ctx, data) =>
    endJob(ctx, data, "cancelled", { exit_code: data.exitCode ?? null, cost_usd: data.jobCostUsd ?? null, error: CANCELLED_BY_USER }),
  ...permissionHandlers,
};

/** A session's row as SessionCreated makes it. */
export const createdRow = (sessionId: string, data: EventByType<"SessionCreated">["data"], at: string, version: number): SessionRow => ({
  id: sessionId, project_path: data.projectPath, machine_id: data.machineId ?? null, context: data.context, status: "active",
  claude_directory_path: data.claudeDirectoryPath, claude_code_session_id: data.claudeSessionId ?? null, metadata: { ...data.metadata },
  created_at: at, updated_at: at, last_accessed_at: at, is_working: false,
  current_job_id: null, last_job_status: null, current_prompt_id: null, version, message_count: 0,
  last_message_id: null, last_message_key: null, pending_permissions: 0, permission_rules: [], cost_usd: 0,
});

/**
 * Folds one event into the batch. Events of sessions that have no row (never created, or
 * deleted) change nothing, and neither does an event at or below the row's version.
 */
export const applyEvent = (state: BatchState, event: KnownEvent): void => {
  const id = event.sessionId;
  if (event.type === "SessionCreated") {
    if (state.sessions.has(id) || state.deleted.has(id)) return;
    state.sessions.set(id, createdRow(id, event.data, event.occurredAt, event.version));
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
  handler?.({ state, session, at: event.occurredAt, version: event.version, eventId: event.eventId, actor: event.meta.actor }, event.data as never);
};

/** The read model of one session's events, computed in memory (a past state, or the present while Postgres is away). */
export const projectInMemory = (envelopes: Iterable<Envelope>): BatchState => {
  const state = emptyBatchState();
  for (const envelope of envelopes) {
    const event = decodeEvent(envelope);
    if (event.known) applyEvent(state, event as KnownEvent);
  }
  return state;
};
