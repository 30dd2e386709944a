import * as HashMap from "effect/HashMap";
import * as HashSet from "effect/HashSet";
import * as Option from "effect/Option";
import type { PermissionDecision, PermissionStatus } from "../../events/statuses.ts";
import type { DomainEvent, EventByType } from "../../events/registry.ts";
import type { JobOutcome } from "../../events/statuses.ts";
import { initialState, type OpenSession, type SessionState } from "./state.ts";

type Data<T extends DomainEvent["type"]> = EventByType<T>["data"];

const opened = (data: Data<"SessionCreated">): OpenSession => ({
  status: "open",
  projectPath: data.projectPath,
  machineId: data.machineId ?? null,
  claudeDirectoryPath: data.claudeDirectoryPath,
  context: data.context,
  metadata: data.metadata,
  sessionStatus: "active",
  claudeSessionId: data.claudeSessionId ?? null,
  queue: [],
  running: null,
  lastJobStatus: null,
  prompts: HashMap.empty(),
  jobIds: HashSet.empty(),
  permissions: HashMap.empty(),
  permissionRules: [],
});

const updated = (session: OpenSession, data: Data<"SessionUpdated">): OpenSession => ({
  ...session,
  ...(data.context !== undefined ? { context: data.context } : {}),
  ...(data.metadata !== undefined ? { metadata: data.metadata } : {}),
  ...(data.status !== undefined ? { sessionStatus: data.status } : {}),
});

/** A steering prompt waits at the head of the queue (after earlier ones for the same job) until it is written in. */
const enqueued = (session: OpenSession, data: Data<"PromptEnqueued">): OpenSession => {
  const { promptId, messageId, prompt, projectPath, options, steerInto } = data;
  const queued = { promptId, messageId, prompt, projectPath, ...(options ? { options } : {}), ...(steerInto ? { steerInto } : {}) };
  const steering = steerInto !== undefined && session.running?.jobId === steerInto;
  const at = steering ? session.queue.findIndex((other) => other.steerInto !== steerInto) : -1;
  const queue = at === -1 ? [...session.queue, queued] : [...session.queue.slice(0, at), queued, ...session.queue.slice(at)];
  return { ...session, queue, prompts: HashMap.set(session.prompts, promptId, "queued") };
};

const steered = (session: OpenSession, data: Data<"PromptSteered">): OpenSession =>
  session.running?.jobId !== data.jobId ? session : {
    ...session,
    queue: session.queue.filter((queued) => queued.promptId !== data.promptId),
    running: { ...session.running, steered: [...session.running.steered, data.promptId] },
    prompts: HashMap.set(session.prompts, data.promptId, "running"),
  };

const started = (session: OpenSession, data: Data<"JobStarted">): OpenSession => {
  const { jobId, promptId, runnerId, leaseMs } = data;
  return {
    ...session,
    queue: session.queue.filter((queued) => queued.promptId !== promptId),
    running: { jobId, promptId, runnerId, leaseMs, cancelRequested: false, lastSeq: -1, pending: [], steered: [], answers: {} },
    prompts: HashMap.set(session.prompts, promptId, "running"),
    jobIds: HashSet.add(session.jobIds, jobId),
  };
};

/** A job ended: the session is idle, so the head of the queue may start next. */
const ended = (session: OpenSession, data: { jobId: string; promptId: string }, outcome: JobOutcome): OpenSession => {
  const wasRunning = session.running?.jobId === data.jobId;
  const finished = [data.promptId, ...(wasRunning ? (session.running?.steered ?? []) : [])];
  return {
    ...session,
    running: wasRunning ? null : session.running,
    lastJobStatus: outcome,
    prompts: finished.reduce((prompts, promptId) => HashMap.set(prompts, promptId, outcome), session.prompts),
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
  permissions: HashMap.set(session.permissions, data.requestId, {
    jobId: data.jobId, toolName: data.toolName, kind: data.kind, status: "pending", decision: null,
    request: { input: data.input, ...(data.suggestions ? { suggestions: data.suggestions } : {}), ...(data.description ? { description: data.description } : {}) },
  }),
  running: session.running?.jobId === data.jobId ? { ...session.running, pending: [...session.running.pending, data.requestId] } : session.running,
});

/** A request got its outcome: it leaves the running job's pending list. */
const resolved = (session: OpenSession, requestId: string, status: PermissionStatus, decision: PermissionDecision | null): OpenSession => {
  const known = Option.getOrUndefined(HashMap.get(session.permissions, requestId));
  if (known === undefined) return session;
  const { request: _answered, ...rest } = known;
  return {
    ...session,
    permissions: HashMap.set(session.permissions, requestId, { ...rest, status, decision }),
    running: session.running === null ? null : { ...session.running, pending: session.running.pending.filter((id) => id !== requestId) },
  };
};

const permissionDecided = (session: OpenSession, data: Data<"PermissionDecided">): OpenSession => {
  const decision = data.behavior === "deny" ? "deny" : data.always === true ? "allow_always" : "allow";
  const { jobId, requestId, ...answer } = data;
  const resolvedNext = resolved(session, requestId, data.behavior === "deny" ? "denied" : "allowed", decision);
  const next = resolvedNext.running?.jobId === jobId
    ? { ...resolvedNext, running: { ...resolvedNext.running, answers: { ...resolvedNext.running.answers, [requestId]: answer } } }
    : resolvedNext;
  return data.rules ? { ...next, permissionRules: [...new Set([...next.permissionRules, ...data.rules])] } : next;
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
    case "TurnsImported": return session;
    case "ConversationReset": return { ...session, claudeSessionId: null };
    case "PromptEnqueued": return enqueued(session, event.data);
    case "PromptSteered": return steered(session, event.data);
    case "PromptCancelRequested": return cancelRequested(session, event.data);
    case "PromptCancelled": return promptCancelled(session, event.data);
    case "JobStarted": return started(session, event.data);
    case "RunnerEventEmitted": return recorded(session, event.data);
    case "JobCompleted": return ended(session, event.data, "completed");
    case "JobFailed": return ended(session, event.data, "failed");
    case "JobCancelled": return ended(session, event.data, "cancelled");
    case "PermissionRequested": return permissionRequested(session, event.data);
    case "PermissionDecided": return permissionDecided(session, event.data);
    case "PermissionExpired": return resolved(session, event.data.requestId, "expired", null);
    case "PermissionCancelled": return resolved(session, event.data.requestId, "cancelled", null);
    case "PermissionRulesSet": return { ...session, permissionRules: [...event.data.rules] };
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
