import { permissionOf, queuePosition, type SessionState } from "../../commands/session/index.ts";
import type { WorkingState, WorkingStates } from "./workingState.ts";
import type { SessionCommandHandler } from "../eventStore/sessionCommandHandler.ts";

export interface PendingPermissionView {
  readonly requestId: string;
  readonly jobId: string;
  readonly toolName: string;
  readonly kind: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly suggestions: readonly unknown[];
  readonly description: string | null;
}

/** The pending requests of a session, in the order they were made. */
export const pendingPermissionsOf = (state: SessionState): PendingPermissionView[] => {
  if (state.status !== "open" || state.running === null) return [];
  return state.running.pending.flatMap((requestId) => {
    const known = permissionOf(state, requestId);
    if (!known) return [];
    return [{ requestId, jobId: known.jobId, toolName: known.toolName, kind: known.kind, input: known.request?.input ?? {}, suggestions: known.request?.suggestions ?? [], description: known.request?.description ?? null }];
  });
};

/** What a client sees first on every connect: where the session stands right now. */
export interface SessionSnapshot {
  readonly sessionId: string;
  /** The version the snapshot was folded up to. */
  readonly version: number;
  /** `empty` (never created), `open` or `deleted`. */
  readonly state: SessionState["status"];
  /** The session's own status (active, inactive, archived) while open. */
  readonly sessionStatus: string | null;
  readonly isWorking: boolean;
  readonly currentJobId: string | null;
  readonly currentPromptId: string | null;
  readonly lastJobStatus: string | null;
  /** The running job was asked to cancel and the runner has not confirmed yet. */
  readonly cancelPending: boolean;
  readonly queue: readonly { promptId: string; messageId: string; position: number }[];
  /** What the CLI waits for the person to answer: enough to show the prompt at once on (re)connect. */
  readonly pendingPermissions: readonly PendingPermissionView[];
  /** The session's "always allow" rules. */
  readonly permissionRules: readonly string[];
  /** What the running job is doing and the answer it is writing so far (null when idle or unknown). */
  readonly working: WorkingState | null;
}

export const snapshotOf = (sessionId: string, state: SessionState, version: number): SessionSnapshot => {
  if (state.status !== "open") {
    return { sessionId, version, state: state.status, sessionStatus: null, isWorking: false, currentJobId: null, currentPromptId: null,
      lastJobStatus: null, cancelPending: false, queue: [], pendingPermissions: [], permissionRules: [], working: null };
  }
  return {
    sessionId,
    version,
    state: "open",
    sessionStatus: state.sessionStatus,
    isWorking: state.running !== null,
    currentJobId: state.running?.jobId ?? null,
    currentPromptId: state.running?.promptId ?? null,
    lastJobStatus: state.lastJobStatus,
    cancelPending: state.running?.cancelRequested ?? false,
    queue: state.queue.map((queued) => ({
      promptId: queued.promptId,
      messageId: queued.messageId,
      position: queuePosition(state, queued.promptId) ?? 0,
    })),
    pendingPermissions: pendingPermissionsOf(state),
    permissionRules: state.permissionRules,
    working: null,
  };
};

/**
 * Where a session stands, from the process's one command path (its cached fold plus what is
 * new), and what its running job is doing now (activity, the answer so far) from its runner.
 */
export const createSnapshotter = (commands: Pick<SessionCommandHandler, "read">, working: Pick<WorkingStates, "read">) => ({
  take: async (sessionId: string): Promise<SessionSnapshot> => {
    const { state, version } = await commands.read(sessionId);
    const snapshot = snapshotOf(sessionId, state, version);
    // The working state is a courtesy: without it (Redis hiccup) the snapshot still stands.
    const now = await working.read(sessionId, snapshot.currentJobId).catch(() => null);
    return { ...snapshot, working: now };
  },
});

export type Snapshotter = ReturnType<typeof createSnapshotter>;
