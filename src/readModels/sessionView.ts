import type { SessionState } from "../../commands/session/index.ts";
import type { SessionView } from "../http/sessionReads.ts";

/**
 * A session as the API shows it, folded from its events by the decider rather than read from
 * Postgres: for `asOf` (the past) and for answering a command while the read models are away.
 * Null when the session is not open (never created, or deleted).
 */
export const sessionViewOf = (sessionId: string, state: SessionState, times: { createdAt: string; updatedAt: string }): SessionView | null => {
  if (state.status !== "open") return null;
  return {
    id: sessionId, projectPath: state.projectPath, context: state.context, status: state.sessionStatus,
    claudeDirectoryPath: state.claudeDirectoryPath, claudeCodeSessionId: state.claudeSessionId, metadata: { ...state.metadata },
    createdAt: times.createdAt, updatedAt: times.updatedAt, lastAccessedAt: times.updatedAt,
    isWorking: state.running !== null, currentJobId: state.running?.jobId ?? null, lastJobStatus: state.lastJobStatus,
  };
};
