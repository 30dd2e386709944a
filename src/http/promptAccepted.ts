import { queuePosition, sessionDecider, type SessionState } from "../../commands/session/index.ts";
import { decodeEvent } from "../../events/registry.ts";
import { AppError } from "../errors.ts";
import type { AppendResult, EventStore } from "../eventStore/eventStore.ts";
import { foldSession } from "../eventStore/handleCommand.ts";

export interface PromptAccepted {
  readonly promptId: string;
  readonly messageId: string;
  readonly sessionId: string;
  readonly status: "queued" | "running";
  readonly queuePosition: number;
  readonly position: string | null;
}

/**
 * What the phone is told about a prompt it just sent. `queuePosition` counts the prompts
 * ahead of it: 0 means the session was idle and the runner starts it at once, which is
 * reported as `running` (the runner's JobStarted follows within moments). The decider's own
 * position (1 = next) is the same number whenever a job is running.
 */
export const acceptedBody = (sessionId: string, ids: { promptId: string; messageId: string }, state: SessionState, position: string | null): PromptAccepted => {
  const raw = queuePosition(state, ids.promptId) ?? 0;
  const ahead = state.status === "open" && state.running === null ? Math.max(0, raw - 1) : raw;
  return { ...ids, sessionId, status: ahead === 0 ? "running" : "queued", queuePosition: ahead, position };
};

const reused = () =>
  AppError.of("idempotency_key_reused", "this Idempotency-Key was used for a different request on this session");

/**
 * The answer to a retried POST: rebuilt from the stored event the first request wrote, with
 * the queue as it stood right after it, so the retry gets the very same body.
 */
export const replayAccepted = async (store: EventStore, sessionId: string, result: AppendResult, prompt: string): Promise<PromptAccepted> => {
  const history = await store.readSession(sessionId);
  const upTo = history.events.filter((envelope) => envelope.version <= result.version);
  const written = upTo.at(-1);
  const decoded = written ? decodeEvent(written) : null;
  if (!decoded?.known || decoded.type !== "PromptEnqueued" || decoded.data.prompt !== prompt) throw reused();
  const state = foldSession(sessionDecider as Parameters<typeof foldSession<SessionState>>[0], upTo);
  return acceptedBody(sessionId, { promptId: decoded.data.promptId, messageId: decoded.data.messageId }, state, result.position);
};
