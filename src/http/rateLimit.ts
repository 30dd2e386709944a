import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";

export type LimitClass = "reads" | "prompts" | "writes";

export type Limits = Pick<Config, "RATE_LIMIT_WINDOW_MS" | "RATE_LIMIT_READS" | "RATE_LIMIT_PROMPTS" | "RATE_LIMIT_WRITES">;

/**
 * Per-token rate limits in Redis (shared by every api process). Each route names its class;
 * a class is its own counter, so a burst of prompts never starves reads. 429 carries
 * Retry-After.
 */
export const registerRateLimit = async (app: FastifyInstance, options: { redis: Redis; prefix: string; limits: Limits }) => {
  await app.register(rateLimit, {
    global: false,
    redis: options.redis,
    nameSpace: `${options.prefix}ratelimit:`,
    timeWindow: options.limits.RATE_LIMIT_WINDOW_MS,
    // The actor is known here: auth runs in an earlier onRequest hook.
    keyGenerator: (request) => request.actor || `ip:${request.ip}`,
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
