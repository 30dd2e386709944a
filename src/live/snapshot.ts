import { fold, initialState, queuePosition, type SessionState } from "../../commands/session/index.ts";
import { decodeEvent, parseEnvelope, type DomainEvent } from "../../events/registry.ts";
import type { HistoryReader } from "./history.ts";

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
  readonly pendingPermissions: readonly { requestId: string; jobId: string; toolName: string }[];
}

const PAGE = 1000;
const CACHE_LIMIT = 1000;

export const snapshotOf = (sessionId: string, state: SessionState, version: number): SessionSnapshot => {
  if (state.status !== "open") {
    return { sessionId, version, state: state.status, sessionStatus: null, isWorking: false, currentJobId: null, currentPromptId: null,
      lastJobStatus: null, cancelPending: false, queue: [], pendingPermissions: [] };
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
    pendingPermissions: Object.entries(state.permissions)
      .filter(([, permission]) => permission.decision === null)
      .map(([requestId, permission]) => ({ requestId, jobId: permission.jobId, toolName: permission.toolName })),
  };
};

/**
 * Folds sessions with the pure decider. The folded state is cached per session (bounded,
 * least recently used out first), so a reconnect only reads the events since the last fold.
 */
export const createSnapshotter = (history: HistoryReader) => {
  const cache = new Map<string, { version: number; state: SessionState }>();

  const remember = (sessionId: string, entry: { version: number; state: SessionState }) => {
    cache.delete(sessionId);
    cache.set(sessionId, entry);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value ?? "");
  };

  const take = async (sessionId: string): Promise<SessionSnapshot> => {
    let { version, state } = cache.get(sessionId) ?? { version: 0, state: initialState() };
    for (;;) {
      const events = await history.page(sessionId, version, PAGE);
      if (events.length === 0) break;
      const known: DomainEvent[] = [];
      for (const event of events) {
        const decoded = decodeEvent(parseEnvelope(JSON.parse(event.json)));
        // Unknown events are surfaced in the stream itself; the snapshot folds what it knows.
        if (decoded.known) known.push(decoded as unknown as DomainEvent);
      }
      state = fold(known, state);
      version = events[events.length - 1]?.version ?? version;
    }
    remember(sessionId, { version, state });
    return snapshotOf(sessionId, state, version);
  };

  return { take };
};

export type Snapshotter = ReturnType<typeof createSnapshotter>;
