import * as HashMap from "effect/HashMap";
import * as HashSet from "effect/HashSet";
import * as Option from "effect/Option";
import type { JobOutcome, PermissionDecision, PermissionKind, PermissionStatus, PromptStatus, SessionStatus } from "../../events/statuses.ts";
import type { PromptOptions } from "../../events/prompt.ts";
import type { EventByType } from "../../events/registry.ts";


export type QueuedPrompt = {
  readonly promptId: string;
  readonly messageId: string;
  readonly prompt: string;
  readonly projectPath: string;
  readonly options?: PromptOptions;
  /** The job it was sent to steer (it waits at the head of the queue until the runner wrote it in). */
  readonly steerInto?: string;
};

export type RunningJob = {
  readonly jobId: string;
  readonly promptId: string;
  readonly runnerId: string;
  readonly leaseMs: number;
  /** The phone asked to cancel; the runner has not confirmed the kill yet. */
  readonly cancelRequested: boolean;
  /** The `seq` of the job's last recorded CLI line (-1 before the first): a repeated line is a no-op. */
  readonly lastSeq: number;
  /** Its permission requests still waiting for an answer: they are cancelled when the job ends. */
  readonly pending: readonly string[];
  /** Prompts steered into it: they end with it. */
  readonly steered: readonly string[];
  /** The answers given to its requests, by request id: the runner holding it delivers them even if it missed the signal. */
  readonly answers: Readonly<Record<string, RecordedDecision>>;
};

/** The phone's answer to a request, as PermissionDecided recorded it. */
export type RecordedDecision = Omit<EventByType<"PermissionDecided">["data"], "jobId" | "requestId">;



/** A request for approval a job made, and what became of it. */
export type PermissionRecord = {
  readonly jobId: string;
  readonly toolName: string;
  readonly kind: PermissionKind;
  readonly status: PermissionStatus;
  /** The person's answer, once there is one. */
  readonly decision: PermissionDecision | null;
  /** While pending (the phone must be able to show it): what the CLI asked, and its suggestions ("always allow" derives its rules from them). */
  readonly request?: {
    readonly input: Readonly<Record<string, unknown>>;
    readonly suggestions?: readonly unknown[];
    readonly description?: string;
  };
};

export type EmptySession = { readonly status: "empty" };

export type OpenSession = {
  readonly status: "open";
  readonly projectPath: string;
  /** The machine whose runner runs its prompts; null: any runner (sessions from before machines). */
  readonly machineId: string | null;
  readonly claudeDirectoryPath: string;
  readonly context: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly sessionStatus: SessionStatus;
  readonly claudeSessionId: string | null;
  /** Prompts waiting to run, in order. The head is the only one StartJob accepts. */
  readonly queue: readonly QueuedPrompt[];
  readonly running: RunningJob | null;
  readonly lastJobStatus: JobOutcome | null;
  /**
   * Persistent (structurally shared) collections: a command costs the same on the thousandth
   * prompt as on the first, where copying a record of every prompt would cost O(prompts).
   */
  readonly prompts: HashMap.HashMap<string, PromptStatus>;
  /** Every jobId ever started here, so a runner cannot reuse one. */
  readonly jobIds: HashSet.HashSet<string>;
  /** Every permission request of the session, by request id (a persistent map, like `prompts`). */
  readonly permissions: HashMap.HashMap<string, PermissionRecord>;
  /** "Always allow" rules (`Write`, `Bash(npm test:*)`), passed as allowed tools to every later prompt. */
  readonly permissionRules: readonly string[];
};

export type DeletedSession = {
  readonly status: "deleted";
  readonly projectPath: string;
  readonly claudeSessionId: string | null;
  readonly reason: string | null;
};

/** The session aggregate: never created, open, or deleted (terminal). Its version is kept beside it by the command handler. */
export type SessionState = EmptySession | OpenSession | DeletedSession;

export const initialState = (): SessionState => ({ status: "empty" });

/** A permission request of the session, or undefined. */
export const permissionOf = (state: SessionState, requestId: string): PermissionRecord | undefined =>
  state.status === "open" ? Option.getOrUndefined(HashMap.get(state.permissions, requestId)) : undefined;

/** Where a prompt is in its life, or undefined when this session never saw it. */
export const promptStatus = (state: SessionState, promptId: string): PromptStatus | undefined =>
  state.status === "open" ? Option.getOrUndefined(HashMap.get(state.prompts, promptId)) : undefined;

/**
 * Where a prompt stands for the phone: 0 while it runs, 1..n while queued (1 = next),
 * null when unknown or finished.
 */
export const queuePosition = (state: SessionState, promptId: string): number | null => {
  if (state.status !== "open") return null;
  if (state.running?.promptId === promptId) return 0;
  const { queue } = state;
  // A prompt just enqueued is usually the last one: no scan of a long queue for it.
  const index = queue.at(-1)?.promptId === promptId ? queue.length - 1 : queue.findIndex((queued) => queued.promptId === promptId);
  return index === -1 ? null : index + 1;
};
