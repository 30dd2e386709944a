import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config.ts";
import { AppError, toError } from "../errors.ts";
import type { WindowCounter } from "./windowCounter.ts";

export type LimitClass = "reads" | "prompts" | "writes";

export type Limits = Pick<Config, "RATE_LIMIT_WINDOW_MS" | "RATE_LIMIT_READS" | "RATE_LIMIT_PROMPTS" | "RATE_LIMIT_WRITES">;

/**
 * The plugin's store, over our Redis counters. The plugin gives every route a child store
 * keyed by its method and URL, which would make each route a budget of its own: here every
 * child is the one store, so a key (actor + class) is one counter across all the class's routes.
 * The plugin builds its store with `new`, hence a class.
 */
const classStore = (counter: WindowCounter): FastifyRateLimitStoreCtor =>
  class ClassStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
      counter.hit(key, timeWindow).then(
        ({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }),
        (thrown: unknown) => callback(toError(thrown)),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };

/**
 * Per-token rate limits in Redis (shared by every api process). Each route names its class
 * (`limitFor`); a class is one counter per token across all its routes, so a burst of
 * prompts never starves reads, and PATCHes count with creates. 429 carries Retry-After.
 */
export const registerRateLimit = async (app: FastifyInstance, options: { counter: WindowCounter; limits: Limits }) => {
  await app.register(rateLimit, {
    global: false,
    store: classStore(options.counter),
    timeWindow: options.limits.RATE_LIMIT_WINDOW_MS,
    // The actor is known here: auth runs in an earlier onRequest hook. The plugin appends the
    // route's groupId (its class) to this key.
    keyGenerator: (request) => `${request.actor || `ip:${request.ip}`}:`,
    errorResponseBuilder: (_request, context) =>
      AppError.of("rate_limited", `rate limit of ${context.max} requests per window reached; retry in ${context.after}`),
  });
};

/** The route config that puts a route in a limit class. */
export const limitFor = (limits: Limits, kind: LimitClass) => ({
  rateLimit: {
    max: kind === "reads" ? limits.RATE_LIMIT_READS : kind === "prompts" ? limits.RATE_LIMIT_PROMPTS : limits.RATE_LIMIT_WRITES,
    timeWindow: limits.RATE_LIMIT_WINDOW_MS,
    groupId: kind,
  },
});
