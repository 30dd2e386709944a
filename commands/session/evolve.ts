import * as HashMap from "effect/HashMap";
import * as HashSet from "effect/HashSet";
import type { DomainEvent, EventByType } from "../../events/registry.ts";
import { initialState, type JobOutcome, type OpenSession, type SessionState } from "./state.ts";

type Data<T extends DomainEvent["type"]> = EventByType<T>["data"];

const opened = (data: Data<"SessionCreated">): OpenSession => ({
  status: "open",
  projectPath: data.projectPath,
  claudeDirectoryPath: data.claudeDirectoryPath,
  context: data.context,
  metadata: data.metadata,
  sessionStatus: "active",
  claudeSessionId: null,
  queue: [],
  running: null,
  lastJobStatus: null,
  prompts: HashMap.empty(),
  jobIds: HashSet.empty(),
  permissions: {},
});

const updated = (session: OpenSession, data: Data<"SessionUpdated">): OpenSession => ({
  ...session,
  ...(data.context !== undefined ? { context: data.context } : {}),
  ...(data.metadata !== undefined ? { metadata: data.metadata } : {}),
  ...(data.status !== undefined ? { sessionStatus: data.status } : {}),
});

const enqueued = (session: OpenSession, data: Data<"PromptEnqueued">): OpenSession => {
  const { promptId, messageId, prompt, projectPath, options } = data;
  return {
    ...session,
    queue: [...session.queue, { promptId, messageId, prompt, projectPath, ...(options ? { options } : {}) }],
    prompts: HashMap.set(session.prompts, promptId, "queued"),
  };
};

const started = (session: OpenSession, data: Data<"JobStarted">): OpenSession => {
  const { jobId, promptId, runnerId, leaseMs } = data;
  return {
    ...session,
    queue: session.queue.filter((queued) => queued.promptId !== promptId),
    running: { jobId, promptId, runnerId, leaseMs, cancelRequested: false, lastSeq: -1 },
    prompts: HashMap.set(session.prompts, promptId, "running"),
    jobIds: HashSet.add(session.jobIds, jobId),
    permissions: {},
  };
};

/** A job ended: the session is idle, so the head of the queue may start next. */
const ended = (session: OpenSession, data: { jobId: string; promptId: string }, outcome: JobOutcome): OpenSession => {
  const wasRunning = session.running?.jobId === data.jobId;
  return {
    ...session,
    running: wasRunning ? null : session.running,
    lastJobStatus: outcome,
    prompts: HashMap.set(session.prompts, data.promptId, outcome),
    permissions: wasRunning ? {} : session.permissions,
  };
};

const recorded = (session: OpenSession, data: Data<"RunnerEventEmitted">): OpenSession =>
  session.running?.jobId === data.jobId && data.seq > session.running.lastSeq
    ? { ...session, running: { ...session.running, lastSeq: data.seq } }
    : session;

const cancelRequested = (session: OpenSession, data: Data<"PromptCancelRequested">): OpenSession =>
  session.running?.jobId === data.jobId
    ? { ...session, running: { ...session.running, cancelRequested: true } }
    : session;

const promptCancelled = (session: OpenSession, data: Data<"PromptCancelled">): OpenSession => ({
  ...session,
  queue: session.queue.filter((queued) => queued.promptId !== data.promptId),
  prompts: HashMap.set(session.prompts, data.promptId, "cancelled"),
});

const permissionRequested = (session: OpenSession, data: Data<"PermissionRequested">): OpenSession => ({
  ...session,
  permissions: {
    ...session.permissions,
    [data.requestId]: { jobId: data.jobId, toolName: data.toolName, decision: null },
  },
});

const permissionDecided = (session: OpenSession, data: Data<"PermissionDecided">): OpenSession => {
  const pending = session.permissions[data.requestId];
  if (pending === undefined) return session;
  return { ...session, permissions: { ...session.permissions, [data.requestId]: { ...pending, decision: data.behavior } } };
};

/** Applies one event to an open session. Events that change nothing here return it as is. */
const evolveOpen = (session: OpenSession, event: DomainEvent): SessionState => {
  switch (event.type) {
    case "SessionCreated": return session;
    case "SessionUpdated": return updated(session, event.data);
    case "SessionDeleted":
      return {
        status: "deleted",
        projectPath: session.projectPath,
        claudeSessionId: session.claudeSessionId,
        reason: event.data.reason ?? null,
      };
    case "ClaudeSessionLinked": return { ...session, claudeSessionId: event.data.claudeSessionId };
    case "PromptEnqueued": return enqueued(session, event.data);
    case "PromptCancelRequested": return cancelRequested(session, event.data);
    case "PromptCancelled": return promptCancelled(session, event.data);
    case "JobStarted": return started(session, event.data);
    case "RunnerEventEmitted": return recorded(session, event.data);
    case "JobCompleted": return ended(session, event.data, "completed");
    case "JobFailed": return ended(session, event.data, "failed");
    case "JobCancelled": return ended(session, event.data, "cancelled");
    case "PermissionRequested": return permissionRequested(session, event.data);
    case "PermissionDecided": return permissionDecided(session, event.data);
    default: {
      const unhandled: never = event;
      throw new Error(`unknown event ${(unhandled as { type: string }).type}`);
    }
  }
};

/**
 * Folds one event into the state. Total over stored histories: an empty session only opens on
 * SessionCreated and a deleted one never changes again.
 */
export const evolve = (state: SessionState, event: DomainEvent): SessionState => {
  if (state.status === "empty") return event.type === "SessionCreated" ? opened(event.data) : state;
  if (state.status === "deleted") return state;
  return evolveOpen(state, event);
};

/** The state after a whole history. */
export const fold = (events: Iterable<DomainEvent>, from: SessionState = initialState()): SessionState => {
  let state = from;
  for (const event of events) state = evolve(state, event);
  return state;
};
