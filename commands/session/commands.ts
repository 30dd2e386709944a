import type { EventByType, EventType } from "../../events/registry.ts";

/** Commands carry the same fields as the event they usually produce. */
type DataOf<T extends EventType> = EventByType<T>["data"];

type Cmd<T extends string, D> = { readonly type: T; readonly data: D };

export type CreateSession = Cmd<"CreateSession", DataOf<"SessionCreated">>;
/** Only the fields present are changed; `metadata` replaces the whole object. */
export type UpdateSession = Cmd<"UpdateSession", DataOf<"SessionUpdated">>;
export type DeleteSession = Cmd<"DeleteSession", DataOf<"SessionDeleted">>;

/** `projectPath` defaults to the session's own. */
export type EnqueuePrompt = Cmd<
  "EnqueuePrompt",
  Omit<DataOf<"PromptEnqueued">, "projectPath"> & { readonly projectPath?: string }
>;
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

export type RequestPermission = Cmd<"RequestPermission", DataOf<"PermissionRequested">>;
/** The phone answers by requestId; the jobId comes from the pending request. */
export type DecidePermission = Cmd<"DecidePermission", Omit<DataOf<"PermissionDecided">, "jobId">>;

export type SessionCommand =
  | CreateSession
  | UpdateSession
  | DeleteSession
  | EnqueuePrompt
  | CancelPrompt
  | StartJob
  | RecordRunnerEvent
  | LinkClaudeSession
  | CompleteJob
  | FailJob
  | CancelJob
  | RequestPermission
  | DecidePermission;

export type SessionCommandType = SessionCommand["type"];
