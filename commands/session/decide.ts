import * as HashSet from "effect/HashSet";
import { canonicalJson } from "../../events/envelope.ts";
import type { DomainEvent, EventByType, EventType } from "../../events/registry.ts";
import { DomainError, type DomainErrorCode } from "../errors.ts";
import type * as C from "./commands.ts";
import { permissionKindOf } from "../../events/permission.ts";
import { mergePatch } from "./mergePatch.ts";
import { permissionOf, promptStatus, type OpenSession, type RunningJob, type SessionState } from "./state.ts";

const event = <T extends EventType>(type: T, data: EventByType<T>["data"]): DomainEvent =>
  ({ type, data }) as EventByType<T>;

const reject = (code: DomainErrorCode, message: string, details: Record<string, unknown> = {}): never => {
  throw new DomainError(code, message, details);
};

const requireOpen = (state: SessionState): OpenSession => {
  if (state.status === "empty") return reject("session_not_found", "session does not exist");
  if (state.status === "deleted") return reject("session_deleted", "session was deleted");
  return state;
};

const requireRunningJob = (session: OpenSession, jobId: string): RunningJob => {
  if (session.running?.jobId !== jobId) {
    return reject("job_not_running", `job ${jobId} is not running`, {
      jobId,
      runningJobId: session.running?.jobId ?? null,
    });
  }
  return session.running;
};

const createSession = ({ data }: C.CreateSession, state: SessionState): DomainEvent[] => {
  if (state.status === "open") return reject("session_exists", "session already exists");
  if (state.status === "deleted") return reject("session_deleted", "session was deleted");
  return [event("SessionCreated", data)];
};

/** Only into a session that exists. */
const importTurns = ({ data }: C.ImportTurns, state: SessionState): DomainEvent[] => {
  requireOpen(state);
  return [event("TurnsImported", data)];
};

/** A session mid-turn keeps its conversation (the CLI holds it open); one with none has nothing to reset. */
const resetConversation = (state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  if (session.running !== null) return reject("session_busy", `job ${session.running.jobId} is running; cancel it first`, { runningJobId: session.running.jobId });
  return session.claudeSessionId === null ? [] : [event("ConversationReset", { previousClaudeSessionId: session.claudeSessionId })];
};

/**
 * Emits only the fields that differ from the current session; nothing to change gives [].
 * The metadata is merged (the command's is a merge patch); the event stores the result.
 */
const updateSession = ({ data }: C.UpdateSession, state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  const metadata = data.metadata === undefined ? undefined : mergePatch(session.metadata, data.metadata);
  const changes = {
    ...(data.context !== undefined && data.context !== session.context ? { context: data.context } : {}),
    ...(metadata !== undefined && canonicalJson(metadata) !== canonicalJson(session.metadata) ? { metadata } : {}),
    ...(data.status !== undefined && data.status !== session.sessionStatus ? { status: data.status } : {}),
  };
  return Object.keys(changes).length === 0 ? [] : [event("SessionUpdated", changes)];
};

/**
 * A running job is asked to stop first, so the runner kills its process: the CLI must not keep
 * working in the project for a session that no longer exists. Its CancelJob then meets
 * `session_deleted`, which the runner takes as final.
 */
const deleteSession = ({ data }: C.DeleteSession, state: SessionState): DomainEvent[] => {
  const { running } = requireOpen(state);
  const stop = running !== null && !running.cancelRequested
    ? [event("PromptCancelRequested", { promptId: running.promptId, jobId: running.jobId })]
    : [];
  return [...stop, event("SessionDeleted", data)];
};

/** A steering prompt goes to the job running now, unless none runs (or it is being cancelled): then it queues. */
const enqueuePrompt = ({ data }: C.EnqueuePrompt, state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  if (promptStatus(session, data.promptId) !== undefined) {
    return reject("prompt_exists", `prompt ${data.promptId} was already enqueued`, { promptId: data.promptId });
  }
  const { options, deliveryMode, ...rest } = data;
  const steerInto = deliveryMode === "steer" && session.running !== null && !session.running.cancelRequested ? session.running.jobId : undefined;
  return [
    event("PromptEnqueued", {
      ...rest,
      projectPath: data.projectPath ?? session.projectPath,
      ...(options !== undefined ? { options } : {}),
      ...(steerInto !== undefined ? { steerInto } : {}),
    }),
  ];
};

/** Only a prompt sent to steer this very job, still waiting, is steered; doing it twice is a no-op. */
const steerPrompt = ({ data }: C.SteerPrompt, state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  const job = requireRunningJob(session, data.jobId);
  if (job.steered.includes(data.promptId)) return [];
  const waiting = session.queue.find((queued) => queued.promptId === data.promptId);
  if (waiting?.steerInto !== data.jobId) {
    return reject("not_queue_head", `prompt ${data.promptId} is not waiting to steer job ${data.jobId}`, { promptId: data.promptId });
  }
  return [event("PromptSteered", data)];
};

/** Queued: removed at once. Running: the request is recorded and the runner kills the job. */
const cancelPrompt = ({ data }: C.CancelPrompt, state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  const { promptId } = data;
  const phase = promptStatus(session, promptId);
  if (phase === undefined) return reject("prompt_not_found", `prompt ${promptId} not found`, { promptId });
  if (phase === "queued") {
    return [event("PromptCancelled", { promptId, reason: data.reason ?? "cancelled_by_user" })];
  }
  if (phase === "running" && session.running?.promptId === promptId) {
    if (session.running.cancelRequested) return [];
    return [event("PromptCancelRequested", { promptId, jobId: session.running.jobId })];
  }
  return reject("prompt_already_finished", `prompt ${promptId} already ${phase}`, { promptId, phase });
};

/**
 * Only a runner of the session's machine may start it, only the head of the queue, and only when nothing runs. Repeating the exact
 * StartJob of the running job is a no-op, so a redelivered runner message does no harm.
 */
const startJob = ({ data }: C.StartJob, state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  const { jobId, promptId, runnerId } = data;
  if (!Number.isFinite(data.leaseMs) || data.leaseMs <= 0) {
    return reject("invalid_lease", `lease must be a positive number of ms, got ${data.leaseMs}`);
  }
  if (session.machineId !== null && data.machineId !== session.machineId) {
    return reject("wrong_machine", `the session runs on machine ${session.machineId}, not ${data.machineId ?? "(none)"}`, { machineId: session.machineId });
  }
  const phase = promptStatus(session, promptId);
  if (phase === undefined) return reject("prompt_not_found", `prompt ${promptId} not found`, { promptId });
  if (phase !== "queued" && phase !== "running") {
    return reject("prompt_already_finished", `prompt ${promptId} already ${phase}`, { promptId, phase });
  }
  const running = session.running;
  if (running !== null) {
    const same = running.jobId === jobId && running.promptId === promptId && running.runnerId === runnerId;
    if (same) return [];
    return reject("session_busy", `job ${running.jobId} is running`, { runningJobId: running.jobId });
  }
  if (HashSet.has(session.jobIds, jobId)) return reject("job_exists", `job ${jobId} was already started`, { jobId });
  const head = session.queue[0];
  if (head?.promptId !== promptId) {
    return reject("not_queue_head", `prompt ${promptId} is not next in the queue`, {
      promptId,
      headPromptId: head?.promptId ?? null,
    });
  }
  return [event("JobStarted", data)];
};

/** A line at or below the job's last recorded `seq` is a repeat (a retried batch): a no-op. */
const recordRunnerEvent = ({ data }: C.RecordRunnerEvent, state: SessionState): DomainEvent[] => {
  const job = requireRunningJob(requireOpen(state), data.jobId);
  return data.seq <= job.lastSeq ? [] : [event("RunnerEventEmitted", data)];
};

/** The CLI reports its conversation id on every init; only a change is worth an event. */
const linkClaudeSession = ({ data }: C.LinkClaudeSession, state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  requireRunningJob(session, data.jobId);
  if (session.claudeSessionId === data.claudeSessionId) return [];
  return [event("ClaudeSessionLinked", data)];
};

/** A job's end first cancels what it left pending: nothing waits for a CLI that is gone. */
const cancelPending = (job: RunningJob): DomainEvent[] =>
  job.pending.map((requestId) => event("PermissionCancelled", { jobId: job.jobId, requestId, reason: "job_ended" }));

const completeJob = ({ data }: C.CompleteJob, state: SessionState): DomainEvent[] => {
  const job = requireRunningJob(requireOpen(state), data.jobId);
  return [...cancelPending(job), event("JobCompleted", { ...data, promptId: job.promptId })];
};

const failJob = ({ data }: C.FailJob, state: SessionState): DomainEvent[] => {
  const job = requireRunningJob(requireOpen(state), data.jobId);
  return [...cancelPending(job), event("JobFailed", { ...data, promptId: job.promptId })];
};

const cancelJob = ({ data }: C.CancelJob, state: SessionState): DomainEvent[] => {
  const job = requireRunningJob(requireOpen(state), data.jobId);
  return [...cancelPending(job), event("JobCancelled", { ...data, promptId: job.promptId })];
};

/** The same request again (a retried batch) is a no-op; another tool under the same id is refused. */
const requestPermission = ({ data }: C.RequestPermission, state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  requireRunningJob(session, data.jobId);
  const known = permissionOf(session, data.requestId);
  if (known === undefined) return [event("PermissionRequested", { ...data, kind: permissionKindOf(data.toolName) })];
  if (known.toolName === data.toolName) return [];
  return reject("permission_exists", `permission request ${data.requestId} already exists`, { requestId: data.requestId });
};

const requirePermission = (session: OpenSession, requestId: string) => {
  const known = permissionOf(session, requestId);
  return known ?? reject("permission_not_found", `no permission request ${requestId} in this session`, { requestId });
};

/**
 * "Always allow" remembers the CLI's own suggestion where it gives one (`Bash(npm test:*)`),
 * else the tool itself (`Write`): passed as allowed tools to every later prompt of the session.
 */
const rulesOf = (toolName: string, suggestions: readonly unknown[] | undefined): string[] => {
  const rules = (suggestions ?? []).flatMap((suggestion) => {
    const update = suggestion as { type?: unknown; behavior?: unknown; rules?: unknown };
    if (update.type !== "addRules" || update.behavior !== "allow" || !Array.isArray(update.rules)) return [];
    return (update.rules as { toolName?: unknown; ruleContent?: unknown }[]).flatMap((rule) =>
      typeof rule.toolName !== "string" ? [] : [typeof rule.ruleContent === "string" && rule.ruleContent !== "" ? `${rule.toolName}(${rule.ruleContent})` : rule.toolName]);
  });
  return rules.length > 0 ? rules : [toolName];
};

/**
 * Answering the same way twice is a no-op (a double tap); changing the answer is refused, and
 * so is an answer to a request that expired or was cancelled (its job ended).
 */
const decidePermission = ({ data }: C.DecidePermission, state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  const { requestId, decision, ...answer } = data;
  const known = requirePermission(session, requestId);
  if (known.status === "expired" || known.status === "cancelled") {
    return reject("permission_not_pending", `permission ${requestId} is ${known.status}`, { requestId, status: known.status });
  }
  if (answer.answers !== undefined && known.kind !== "question") {
    return reject("permission_answer_invalid", `answers are for questions; ${known.toolName} is a ${known.kind} request`, { requestId });
  }
  if (answer.permissionMode !== undefined && (known.kind !== "plan" || decision === "deny")) {
    return reject("permission_answer_invalid", "permissionMode is for allowing a plan (the mode to continue in)", { requestId });
  }
  if (known.decision === decision) return [];
  if (known.decision !== null) {
    return reject("permission_already_decided", `permission ${requestId} was already answered`, { requestId, decision: known.decision });
  }
  const always = decision === "allow_always" ? { always: true, rules: rulesOf(known.toolName, known.request?.suggestions) } : {};
  return [event("PermissionDecided", { jobId: known.jobId, requestId, behavior: decision === "deny" ? "deny" : "allow", ...answer, ...always })];
};

/** Only a pending request expires or is withdrawn; anything else already has its outcome. */
const expirePermission = ({ data }: C.ExpirePermission, state: SessionState): DomainEvent[] => {
  const known = requirePermission(requireOpen(state), data.requestId);
  return known.status === "pending" ? [event("PermissionExpired", { jobId: known.jobId, requestId: data.requestId, message: data.message })] : [];
};

const cancelPermission = ({ data }: C.CancelPermission, state: SessionState): DomainEvent[] => {
  const known = requirePermission(requireOpen(state), data.requestId);
  return known.status === "pending" ? [event("PermissionCancelled", { jobId: known.jobId, requestId: data.requestId, reason: "cli_cancelled" })] : [];
};

const setPermissionRules = ({ data }: C.SetPermissionRules, state: SessionState): DomainEvent[] => {
  const session = requireOpen(state);
  const rules = [...new Set(data.rules)];
  return canonicalJson(rules) === canonicalJson(session.permissionRules) ? [] : [event("PermissionRulesSet", { rules })];
};

/** Decides what a command means for the session: the events to append, or a DomainError. */
export const decide = (command: C.SessionCommand, state: SessionState): DomainEvent[] => {
  switch (command.type) {
    case "CreateSession": return createSession(command, state);
    case "ImportTurns": return importTurns(command, state);
    case "ResetConversation": return resetConversation(state);
    case "UpdateSession": return updateSession(command, state);
    case "DeleteSession": return deleteSession(command, state);
    case "EnqueuePrompt": return enqueuePrompt(command, state);
    case "SteerPrompt": return steerPrompt(command, state);
    case "CancelPrompt": return cancelPrompt(command, state);
    case "StartJob": return startJob(command, state);
    case "RecordRunnerEvent": return recordRunnerEvent(command, state);
    case "LinkClaudeSession": return linkClaudeSession(command, state);
    case "CompleteJob": return completeJob(command, state);
    case "FailJob": return failJob(command, state);
    case "CancelJob": return cancelJob(command, state);
    case "RequestPermission": return requestPermission(command, state);
    case "DecidePermission": return decidePermission(command, state);
    case "ExpirePermission": return expirePermission(command, state);
    case "CancelPermission": return cancelPermission(command, state);
    case "SetPermissionRules": return setPermissionRules(command, state);
    default: {
      const unhandled: never = command;
      throw new Error(`unknown session command ${(unhandled as { type: string }).type}`);
    }
  }
};
