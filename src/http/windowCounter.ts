import type { RedisClient } from "../infra/redis.ts";
import { defineScripts } from "../infra/luaScripts.ts";

/** Hits in the current window and how long until it ends (both 0 when no window runs). */
export interface WindowCount {
  readonly hits: number;
  readonly ttlMs: number;
}

type ScriptedRedis = RedisClient & {
  ccmWindowHit(key: string, windowMs: number): Promise<[number, number]>;
  ccmWindowPeek(key: string): Promise<[number, number]>;
};

export interface WindowCounter {
  /** Counts one hit on `name`; the first hit of a window starts it. */
  hit(name: string, windowMs: number): Promise<WindowCount>;
  /** What has been counted on `name` in its current window, without counting. */
  peek(name: string): Promise<WindowCount>;
}

/**
 * Fixed-window counters in Redis, so every api process counts against the same budget. The
 * only code that touches the rate-limit keys (`<prefix>ratelimit:<name>`); one script per
 * atomic operation.
 */
export const createWindowCounter = (options: { redis: RedisClient; prefix: string }): WindowCounter => {
  const redis = options.redis as ScriptedRedis;
  defineScripts(redis, new URL("./scripts/", import.meta.url));
  const key = (name: string) => `${options.prefix}ratelimit:${name}`;
  const count = ([hits, ttlMs]: [number, number]): WindowCount => ({ hits, ttlMs });
  return {
    hit: async (name, windowMs) => count(await redis.ccmWindowHit(key(name), windowMs)),
    peek: async (name) => count(await redis.ccmWindowPeek(key(name))),
  };
};
