import type { RedisClient } from "../infra/redis.ts";

/**
 * What a running job is doing right now, outside the event log: the activity the phone shows
 * instead of a bare spinner, and the text of the answer being written so far (so a phone that
 * joins mid-answer sees it at once). The runner holding the job writes it to Redis with a time
 * to live; any api process reads it. It is ephemeral: losing it loses nothing stored.
 */
export type Activity =
  /** Waiting for the model, or reading its answer as it streams. */
  | { readonly kind: "model" }
  /** The model API failed and the CLI retries (`system/api_retry`). */
  | { readonly kind: "retrying"; readonly attempt: number; readonly maxRetries: number; readonly retryDelayMs: number }
  | { readonly kind: "compacting" }
  | { readonly kind: "tool"; readonly toolName: string }
  | { readonly kind: "approval"; readonly requestId: string; readonly toolName: string };

export type WorkingState = {
  readonly jobId: string;
  readonly activity: Activity;
  /** When the activity began. */
  readonly since: string;
  /** The answer the model is writing now: its API message id and the text so far. */
  readonly reply: { readonly messageId: string | null; readonly text: string } | null;
};

/** Kept a while after the last write, so a runner that died leaves nothing for long. */
const TTL_MS = 10 * 60 * 1000;

const keyOf = (prefix: string, sessionId: string) => `${prefix}working:${sessionId}`;

export const createWorkingStates = (redis: RedisClient, prefix: string) => ({
  write: async (sessionId: string, state: WorkingState) => {
    await redis.set(keyOf(prefix, sessionId), JSON.stringify(state), "PX", TTL_MS);
  },
  clear: async (sessionId: string) => {
    await redis.del(keyOf(prefix, sessionId));
  },
  /** The state of the job now running, or null (another job's leftover does not count). */
  read: async (sessionId: string, jobId: string | null): Promise<WorkingState | null> => {
    if (jobId === null) return null;
    const text = await redis.get(keyOf(prefix, sessionId));
    if (text === null) return null;
    const state = JSON.parse(text) as WorkingState;
    return state.jobId === jobId ? state : null;
  },
});

export type WorkingStates = ReturnType<typeof createWorkingStates>;
