import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { startEmbeddedRedis } from "./embeddedRedis.ts";

/**
 * Routes a connection's errors through pino, once per failure rather than once per retry
 * (ioredis prints unhandled `error` events to stderr, outside the JSON logs), and says when it
 * is back.
 */
export const logConnection = (redis: Redis, logger: Logger, name: string): Redis => {
  let failing = "";
  redis.on("error", (error: Error) => {
    if (error.message === failing) return;
    failing = error.message;
    logger.warn({ connection: name, err: error.message }, "redis: connection failed; reconnecting");
  });
  redis.on("ready", () => {
    if (failing !== "") logger.info({ connection: name }, "redis: connection back");
    failing = "";
  });
  return redis;
};

/** The service's connection: fails a command fast during an outage, batches concurrent commands, logs through pino. */
export const openRedis = (url: string, logger: Logger): Redis =>
  // Requests run concurrently: auto-pipelining batches their commands into few writes.
  logConnection(new Redis(url, { maxRetriesPerRequest: 3, connectTimeout: 2000, enableAutoPipelining: true }), logger, "main");

/**
 * Connects to REDIS_URL, or starts an embedded redis-server when none is set (its durability
 * given on its command line). A command fails after a few reconnection attempts instead of
 * waiting through a long outage: the api answers 503 meanwhile, and background work retries.
 * Durability is verified, never set, by the service (infra/durability.ts).
 */
export const connectRedis = async (config: Readonly<Config>, logger: Logger) => {
  const embedded = config.REDIS_URL ? null : await startEmbeddedRedis(config.DATA_DIR, config.REDIS_DURABILITY, logger);
  const url = config.REDIS_URL ?? embedded?.url ?? "";
  const redis = openRedis(url, logger);
  await redis.ping().catch(async (error: unknown) => {
    redis.disconnect();
    await embedded?.stop();
    throw error;
  });
  return {
    redis,
    url,
    close: async () => {
      redis.disconnect();
      await embedded?.stop();
    },
  };
};

/** Deletes every key under a prefix (SCAN, never KEYS): for tests, benchmarks and purges. */
export const deleteKeysByPrefix = async (redis: Redis, prefix: string): Promise<void> => {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
};
