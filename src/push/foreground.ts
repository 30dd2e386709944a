import { randomUUID } from "node:crypto";
import type { RedisClient } from "../infra/redis.ts";
import { defineScripts } from "../infra/luaScripts.ts";

type ScriptedRedis = RedisClient & {
  ccmForegroundMark(key: string, member: string, ttlMs: number): Promise<number>;
  ccmForegroundCount(key: string): Promise<number>;
};

/** One live stream's say in whether its session is in the foreground. */
export interface ForegroundHold {
  /** The client declared itself in the foreground (true) or in the background (false). */
  readonly set: (foreground: boolean) => void;
  /** The stream closed: its mark goes at once. */
  readonly release: () => void;
}

/**
 * Proof that a person is looking at a session: a client holding the session's live stream that
 * declares itself in the foreground. Kept in Redis (any api process writes it, any notifier
 * reads it) as one mark per stream with a time to live, refreshed while the stream is held and
 * in the foreground, removed when it goes to the background or closes. A process that dies
 * leaves marks that lapse within `ttlMs`.
 */
export const createForegroundPresence = (options: { redis: RedisClient; prefix: string; ttlMs: number; onError?: (error: unknown) => void }) => {
  const redis = options.redis as ScriptedRedis;
  defineScripts(redis, new URL("./scripts/", import.meta.url));
  const { ttlMs } = options;
  const keyOf = (sessionId: string) => `${options.prefix}push:foreground:${sessionId}`;
  const report = (error: unknown) => options.onError?.(error);

  const hold = (sessionId: string): ForegroundHold => {
    const key = keyOf(sessionId);
    const member = randomUUID();
    let timer: NodeJS.Timeout | null = null;
    const mark = () => void redis.ccmForegroundMark(key, member, ttlMs).catch(report);
    const unmark = () => {
      if (timer !== null) clearInterval(timer);
      timer = null;
      void redis.zrem(key, member).catch(report);
    };
    return {
      set: (foreground) => {
        if (!foreground) return unmark();
        mark();
        if (timer === null) timer = setInterval(mark, Math.max(50, Math.floor(ttlMs / 3)));
        timer.unref();
      },
      release: unmark,
    };
  };

  return {
    hold,
    /** Whether some client proves it is looking at the session right now. */
    isForeground: async (sessionId: string): Promise<boolean> => (await redis.ccmForegroundCount(keyOf(sessionId))) > 0,
  };
};

export type ForegroundPresence = ReturnType<typeof createForegroundPresence>;
