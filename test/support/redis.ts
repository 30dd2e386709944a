import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { inject } from "vitest";
import { createEventStore, type EventStore } from "../../src/eventStore/eventStore.ts";
import { deleteKeysByPrefix, openCluster, type RedisClient } from "../../src/infra/redis.ts";

export const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** The Redis Cluster of the `cluster` test project (REDIS_CLUSTER_NODES), or undefined on a single Redis. */
export const testClusterNodes = (): string | undefined => inject("redisClusterNodes");

/** A real Redis connection (the project's cluster, when it has one) and a random key prefix, so test files never see each other. */
export const connectTestRedis = () => {
  const nodes = testClusterNodes();
  const redis: RedisClient = nodes === undefined ? new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false }) : openCluster(nodes, pino({ level: "silent" }));
  const prefix = `test:${randomUUID().slice(0, 8)}:`;
  return { redis, prefix };
};

export const deleteKeys = deleteKeysByPrefix;

export const createTestStore = async (partitions = 4): Promise<{ store: EventStore; redis: RedisClient; prefix: string; close: () => Promise<void> }> => {
  const { redis, prefix } = connectTestRedis();
  const store = await createEventStore({ redis, prefix, partitions });
  return {
    store,
    redis,
    prefix,
    close: async () => {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
};

export const testMeta = { actor: "test", correlationId: "c-1", causationId: null, requestId: null };
