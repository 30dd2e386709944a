import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { startEmbeddedRedis } from "./embeddedRedis.ts";

/**
 * Connects to REDIS_URL, or starts an embedded redis-server when none is set, and makes the
 * durability mode true: strict means `appendfsync always` (an acknowledged command survives
 * a crash); the default `everysec` may lose up to a second. The log says which is on.
 */
export const connectRedis = async (config: Readonly<Config>, logger: Logger) => {
  const embedded = config.REDIS_URL ? null : await startEmbeddedRedis(config.DATA_DIR, config.REDIS_DURABILITY, logger);
  const url = config.REDIS_URL ?? embedded?.url ?? "";
  // Requests run concurrently: auto-pipelining batches their commands into few writes.
  const redis = new Redis(url, { maxRetriesPerRequest: 20, enableAutoPipelining: true });
  await redis.ping();
  if (config.REDIS_DURABILITY === "strict") {
    await redis.config("SET", "appendonly", "yes");
    await redis.config("SET", "appendfsync", "always");
  }
  const [, appendonly] = (await redis.config("GET", "appendonly")) as string[];
  const [, appendfsync] = (await redis.config("GET", "appendfsync")) as string[];
  logger.info(
    { mode: config.REDIS_DURABILITY, appendonly, appendfsync, embedded: Boolean(embedded) },
    config.REDIS_DURABILITY === "strict"
      ? "durability: strict (appendfsync always): acknowledged commands survive a crash"
      : `durability: everysec (appendonly ${appendonly}, appendfsync ${appendfsync}): a crash may lose the last second`,
  );
  return {
    redis,
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
