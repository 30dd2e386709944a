import { queuePosition, type SessionState } from "../../commands/session/index.ts";
import { AppError } from "../errors.ts";
import type { Executed } from "../eventStore/commandHandler.ts";
import type { SessionCommandHandler } from "../eventStore/sessionCommandHandler.ts";

export interface PromptAccepted {
  readonly promptId: string;
  readonly messageId: string;
  readonly sessionId: string;
  readonly status: "queued" | "running";
  readonly queuePosition: number;
  readonly steeringJobId: string | null;
  readonly position: string | null;
}

/**
 * What the phone is told about a prompt it just sent. `queuePosition` counts the prompts
 * ahead of it: 0 means the session was idle and the runner starts it at once, which is
 * reported as `running` (the runner's JobStarted follows within moments). The decider's own
 * position (1 = next) is the same number whenever a job is running. A prompt sent to steer the
 * running turn is `running` too, with the job it joins.
 */
export const acceptedBody = (sessionId: string, ids: { promptId: string; messageId: string }, state: SessionState, position: string | null): PromptAccepted => {
  const raw = queuePosition(state, ids.promptId) ?? 0;
  const steering = state.status === "open" && raw > 0 ? state.queue[raw - 1]?.steerInto : undefined;
  if (steering !== undefined) return { ...ids, sessionId, status: "running", queuePosition: 0, steeringJobId: steering, position };
  const ahead = state.status === "open" && state.running === null ? Math.max(0, raw - 1) : raw;
  return { ...ids, sessionId, status: ahead === 0 ? "running" : "queued", queuePosition: ahead, steeringJobId: null, position };
};

const reused = () =>
  AppError.of("idempotency_key_reused", "this Idempotency-Key was used for a different request on this session");

/**
 * The answer to a retried POST: rebuilt from the state right after the first request's
 * PromptEnqueued (the event its idempotency key recorded), with the queue as it stood then,
 * so the retry gets the very same body.
 */
export const replayAccepted = async (commands: SessionCommandHandler, sessionId: string, first: Executed<SessionState>, prompt: string): Promise<PromptAccepted> => {
  const { state, last } = await commands.readAt(sessionId, first.version);
  if (last?.type !== "PromptEnqueued" || last.data.prompt !== prompt) throw reused();
  return acceptedBody(sessionId, { promptId: last.data.promptId, messageId: last.data.messageId }, state, first.position);
};
