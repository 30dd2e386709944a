import type { PermissionDecision } from "../../events/statuses.ts";
import type { EventByType, EventType } from "../../events/registry.ts";

/** Commands carry the same fields as the event they usually produce. */
type DataOf<T extends EventType> = EventByType<T>["data"];

type Cmd<T extends string, D> = { readonly type: T; readonly data: D };

export type CreateSession = Cmd<"CreateSession", DataOf<"SessionCreated">>;
/** The earlier turns of the conversation a new session continues (a chunk of them). */
export type ImportTurns = Cmd<"ImportTurns", DataOf<"TurnsImported">>;
/** Start a fresh conversation on the session (its own is gone, or the person wants a clean slate). */
export type ResetConversation = Cmd<"ResetConversation", Record<string, never>>;
/**
 * Only the fields present are changed. `metadata` is a JSON merge patch (RFC 7386) of the
 * session's metadata: keys given replace, `null` deletes, objects merge.
 */
export type UpdateSession = Cmd<"UpdateSession", DataOf<"SessionUpdated">>;
export type DeleteSession = Cmd<"DeleteSession", DataOf<"SessionDeleted">>;

/**
 * `projectPath` defaults to the session's own. `deliveryMode: "steer"` sends it into the job
 * running now (a queued prompt when nothing runs).
 */
export type EnqueuePrompt = Cmd<
  "EnqueuePrompt",
  Omit<DataOf<"PromptEnqueued">, "projectPath" | "steerInto"> & { readonly projectPath?: string; readonly deliveryMode?: "queue" | "steer" }
>;
/** The runner wrote a steering prompt into its job's CLI. */
export type SteerPrompt = Cmd<"SteerPrompt", DataOf<"PromptSteered">>;
/** `reason` ends up in PromptCancelled when the prompt was still queued. */
export type CancelPrompt = Cmd<"CancelPrompt", { readonly promptId: string; readonly reason?: string }>;

export type StartJob = Cmd<"StartJob", DataOf<"JobStarted">>;
export type RecordRunnerEvent = Cmd<"RecordRunnerEvent", DataOf<"RunnerEventEmitted">>;
export type LinkClaudeSession = Cmd<"LinkClaudeSession", DataOf<"ClaudeSessionLinked">>;
// The job's promptId is taken from the state: the runner cannot name the wrong prompt.
export type CompleteJob = Cmd<"CompleteJob", Omit<DataOf<"JobCompleted">, "promptId">>;
export type FailJob = Cmd<"FailJob", Omit<DataOf<"JobFailed">, "promptId">>;
/** The runner confirms the process group is gone. */
export type CancelJob = Cmd<"CancelJob", Omit<DataOf<"JobCancelled">, "promptId">>;

/** The kind follows from the tool (a question, a plan, or a tool to run). */
export type RequestPermission = Cmd<"RequestPermission", Omit<DataOf<"PermissionRequested">, "kind">>;
/** The phone answers by requestId; the jobId comes from the request. */
export type DecidePermission = Cmd<"DecidePermission", {
  readonly requestId: string;
  readonly decision: PermissionDecision;
  readonly message?: string;
  readonly updatedInput?: Readonly<Record<string, unknown>>;
  readonly answers?: Readonly<Record<string, string>>;
  readonly permissionMode?: string;
}>;
/** Nobody answered in time (PERMISSION_TIMEOUT_MS): the runner tells the CLI no. */
export type ExpirePermission = Cmd<"ExpirePermission", { readonly requestId: string; readonly message: string }>;
/** The CLI withdrew its request (control_cancel_request). */
export type CancelPermission = Cmd<"CancelPermission", { readonly requestId: string }>;
/** A person sets the session's "always allow" rules (to remove some). */
export type SetPermissionRules = Cmd<"SetPermissionRules", DataOf<"PermissionRulesSet">>;

export type SessionCommand =
  | CreateSession
  | ImportTurns
  | ResetConversation
  | UpdateSession
  | DeleteSession
  | EnqueuePrompt
  | SteerPrompt
  | CancelPrompt
  | StartJob
  | RecordRunnerEvent
  | LinkClaudeSession
  | CompleteJob
  | FailJob
  | CancelJob
  | RequestPermission
  | DecidePermission
  | ExpirePermission
  | CancelPermission
  | SetPermissionRules;

export type SessionCommandType = SessionCommand["type"];
