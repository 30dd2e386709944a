import { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { startEmbeddedRedis } from "./embeddedRedis.ts";

/**
 * A connection to the service's Redis: one server (`REDIS_URL`, or the embedded one) or a
 * Redis Cluster (`REDIS_CLUSTER_NODES`). Both speak the same commands; what differs (blocking
 * reads, SCAN, CONFIG, connection copies) goes through the helpers below.
 */
export type RedisClient = Redis | Cluster;

export const isCluster = (client: RedisClient): client is Cluster => client.isCluster;

/**
 * Routes a connection's errors through pino, once per failure rather than once per retry
 * (ioredis prints unhandled `error` events to stderr, outside the JSON logs), and says when it
 * is back. A cluster reports a node's failure as `node error`.
 */
export const logConnection = <C extends RedisClient>(redis: C, logger: Logger, name: string): C => {
  let failing = "";
  const onError = (error: Error) => {
    if (error.message === failing) return;
    failing = error.message;
    logger.warn({ connection: name, err: error.message }, "redis: connection failed; reconnecting");
  };
  redis.on("error", onError);
  if (isCluster(redis)) redis.on("node error", onError);
  redis.on("ready", () => {
    if (failing !== "") logger.info({ connection: name }, "redis: connection back");
    failing = "";
  });
  return redis;
};

const commandOptions = { maxRetriesPerRequest: 3, connectTimeout: 2000 } as const;

/** The service's connection: fails a command fast during an outage, batches concurrent commands, logs through pino. */
export const openRedis = (url: string, logger: Logger): Redis =>
  // Requests run concurrently: auto-pipelining batches their commands into few writes.
  logConnection(new Redis(url, { ...commandOptions, enableAutoPipelining: true }), logger, "main");

/** `host:port,host:port` as ioredis cluster nodes. */
export const clusterNodesOf = (text: string): { host: string; port: number }[] =>
  text.split(",").map((item) => item.trim()).filter((item) => item !== "").map((item) => {
    const at = item.lastIndexOf(":");
    return { host: item.slice(0, at), port: Number(item.slice(at + 1)) };
  });

/**
 * A Redis Cluster client from some of its nodes (it finds the others). Auto-pipelining groups
 * concurrent commands per node; a moved slot is followed (MOVED/ASK) by ioredis.
 */
export const openCluster = (nodes: string, logger: Logger): Cluster =>
  logConnection(new Cluster(clusterNodesOf(nodes), { redisOptions: commandOptions, enableAutoPipelining: true, enableReadyCheck: true }), logger, "main");

/**
 * A connection of its own, named `connectionName` in CLIENT LIST: for blocking reads and
 * pub/sub, which would stall every other command on a shared one. A cluster client is copied
 * whole (ioredis's `Cluster.duplicate` takes startup nodes first, then options), and connects
 * only to the nodes it is used on.
 */
export const duplicateClient = (client: RedisClient, connectionName: string): RedisClient =>
  isCluster(client)
    ? client.duplicate([], { redisOptions: { ...client.options.redisOptions, connectionName } })
    : client.duplicate({ connectionName });

/** The servers holding the data: the one Redis, or every master of a cluster. */
export const masterNodes = (client: RedisClient): Redis[] => (isCluster(client) ? client.nodes("master") : [client]);

/** Every key matching `pattern` on every master (SCAN, never KEYS), a page at a time. */
export async function* scanKeys(client: RedisClient, pattern: string, count = 1000): AsyncGenerator<string[]> {
  for (const node of masterNodes(client)) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== "0");
  }
}

/**
 * Connects to REDIS_CLUSTER_NODES or REDIS_URL, or starts an embedded redis-server when neither
 * is set (its durability given on its command line). A command fails after a few reconnection
 * attempts instead of waiting through a long outage: the api answers 503 meanwhile, and
 * background work retries. Durability is verified, never set, by the service (infra/durability.ts).
 */
export const connectRedis = async (config: Readonly<Config>, logger: Logger) => {
  if (config.REDIS_CLUSTER_NODES !== undefined) {
    const cluster = openCluster(config.REDIS_CLUSTER_NODES, logger);
    await cluster.ping();
    return { redis: cluster as RedisClient, url: undefined, close: async () => cluster.disconnect() };
  }
  const embedded = config.REDIS_URL ? null : await startEmbeddedRedis(config.DATA_DIR, config.REDIS_DURABILITY, logger);
  const url = config.REDIS_URL ?? embedded?.url ?? "";
  const redis = openRedis(url, logger);
  await redis.ping().catch(async (error: unknown) => {
    redis.disconnect();
    await embedded?.stop();
    throw error;
  });
  return {
    redis: redis as RedisClient,
    url,
    close: async () => {
      redis.disconnect();
      await embedded?.stop();
    },
  };
};

/**
 * Deletes every key under a prefix (SCAN, never KEYS): for tests, benchmarks and purges. One
 * DEL per key: keys of different hash slots cannot share one on a cluster.
 */
export const deleteKeysByPrefix = async (redis: RedisClient, prefix: string): Promise<void> => {
  for await (const keys of scanKeys(redis, `${prefix}*`)) {
    if (isCluster(redis)) await Promise.all(keys.map((key) => redis.unlink(key)));
    else await redis.unlink(...keys);
  }
};
