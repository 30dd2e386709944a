import * as HashMap from "effect/HashMap";
import * as HashSet from "effect/HashSet";
import * as Option from "effect/Option";
import type { PromptOptions } from "../../events/prompt.ts";
import type { SessionStatus } from "../../events/session.ts";

export type QueuedPrompt = {
  readonly promptId: string;
  readonly messageId: string;
  readonly prompt: string;
  readonly projectPath: string;
  readonly options?: PromptOptions;
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
};

export type JobOutcome = "completed" | "failed" | "cancelled";

/** Where a prompt is in its life. Every prompt id ever enqueued stays here, so none is reused. */
export type PromptPhase = "queued" | "running" | JobOutcome;

/** A tool approval the running job asked for; `decision` stays null until the phone answers. */
export type PendingPermission = {
  readonly jobId: string;
  readonly toolName: string;
  readonly decision: "allow" | "deny" | null;
};

export type EmptySession = { readonly status: "empty" };

export type OpenSession = {
  readonly status: "open";
  readonly projectPath: string;
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
  readonly prompts: HashMap.HashMap<string, PromptPhase>;
  /** Every jobId ever started here, so a runner cannot reuse one. */
  readonly jobIds: HashSet.HashSet<string>;
  /** Permission requests of the running job only: they die with its process. */
  readonly permissions: Readonly<Record<string, PendingPermission>>;
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

/** Where a prompt is in its life, or undefined when this session never saw it. */
export const promptPhase = (state: SessionState, promptId: string): PromptPhase | undefined =>
  state.status === "open" ? Option.getOrUndefined(HashMap.get(state.prompts, promptId)) : undefined;

/**
 * Where a prompt stands for the phone: 0 while it runs, 1..n while queued (1 = next),
 * null when unknown or finished.
 */
export const queuePosition = (state: SessionState, promptId: string): number | null => {
  if (state.status !== "open") return null;
  if (state.running?.promptId === promptId) return 0;
  const index = state.queue.findIndex((queued) => queued.promptId === promptId);
  return index === -1 ? null : index + 1;
};
