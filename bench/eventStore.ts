import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import pino from "pino";
import { deleteKeysByPrefix, openCluster, type RedisClient } from "../src/infra/redis.ts";
import { startRedisCluster } from "../test/support/redisCluster.ts";
import { GENESIS_HASH } from "../events/envelope.ts";
import type { DomainEvent } from "../events/registry.ts";
import { createEventStore, type EventStore } from "../src/eventStore/eventStore.ts";
import { percentile, round, timed, type Row } from "./stats.ts";

const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const meta = { actor: "bench", correlationId: "bench", causationId: null, requestId: null };
const event = (n: number): DomainEvent => ({ type: "SessionUpdated", data: { context: `context number ${n} `.repeat(8) } });

/** A payload of the size our envelopes have, for the raw baseline. */
const samplePayload = JSON.stringify({
  eventId: randomUUID(), type: "SessionUpdated", schemaVersion: 1, sessionId: randomUUID(), version: 1,
  occurredAt: new Date().toISOString(), data: { context: "context number 1 ".repeat(8) }, meta,
  prevHash: GENESIS_HASH, hash: GENESIS_HASH,
});

const rawXaddSequential = async (redis: RedisClient, key: string, count: number) =>
  timed(async () => {
    for (let index = 0; index < count; index += 1) await redis.xadd(key, "*", "e", samplePayload);
  });

const rawXaddPipelined = async (redis: RedisClient, key: string, count: number, depth = 100) =>
  timed(async () => {
    for (let index = 0; index < count; index += depth) {
      const pipeline = redis.pipeline();
      for (let inner = 0; inner < depth; inner += 1) pipeline.xadd(key, "*", "e", samplePayload);
      await pipeline.exec();
    }
  });

/** `sessions` writers in parallel, each appending `perSession` times with `batch` events each. */
const parallelAppends = async (store: EventStore, sessions: number, perSession: number, batch: number) =>
  timed(() =>
    Promise.all(
      Array.from({ length: sessions }, async () => {
        const sessionId = randomUUID();
        let version = 0;
        let hash = GENESIS_HASH;
        for (let index = 0; index < perSession; index += 1) {
          const events = Array.from({ length: batch }, (_, n) => event(n));
          const result = await store.append(sessionId, version, events, { meta, expectedHash: hash });
          version = result.version;
          hash = result.lastHash;
        }
      }),
    ),
  );

const appendLatencies = async (store: EventStore, count: number) => {
  const sessionId = randomUUID();
  const latencies: number[] = [];
  let version = 0;
  let hash = GENESIS_HASH;
  for (let index = 0; index < count; index += 1) {
    const start = process.hrtime.bigint();
    const result = await store.append(sessionId, version, [event(index)], { meta, expectedHash: hash });
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    version = result.version;
    hash = result.lastHash;
  }
  return latencies.sort((a, b) => a - b);
};

type Case = readonly [sessions: number, perSession: number, batch: number];

/** Appends through the event store in parallel and one at a time, against `rawPipeRate` (the single Redis's raw pipelined XADD). */
const storeRows = async (redis: RedisClient, label: string, cases: readonly Case[], latencyCount: number, rawPipeRate: number): Promise<Row[]> => {
  const prefix = `bench:${randomUUID().slice(0, 8)}:`;
  const store = await createEventStore({ redis, prefix, partitions: 8 });
  const rows: Row[] = [];
  try {
    await appendLatencies(store, 1000); // warm-up: script cache, JIT
    for (const [sessions, perSession, batch] of cases) {
      const events = sessions * perSession * batch;
      const seconds = await parallelAppends(store, sessions, perSession, batch);
      rows.push({
        benchmark: `${label}append, ${sessions} session(s) in parallel, ${batch} event(s)/append`,
        events,
        "events/s": round(events / seconds, 0),
        "vs raw pipelined": `${round((100 * events) / seconds / rawPipeRate, 1)}%`,
      });
    }
    const latencies = await appendLatencies(store, latencyCount);
    rows.push({
      benchmark: `${label}append latency, single event, sequential (ms)`,
      events: latencies.length,
      "events/s": `p50 ${round(percentile(latencies, 50), 3)} / p99 ${round(percentile(latencies, 99), 3)}`,
      "vs raw pipelined": "target p99 < 2 ms",
    });
  } finally {
    await deleteKeysByPrefix(redis, prefix);
  }
  return rows;
};

/**
 * The same appends on a three-master Redis Cluster started on loopback for the run (8
 * partitions spread over the masters), beside a raw pipelined XADD to one of its masters.
 * On this machine the three masters share the cores with the writers.
 */
const clusterRows = async (rawPipeRate: number): Promise<Row[]> => {
  const cluster = await startRedisCluster();
  const redis = openCluster(cluster.nodes, pino({ level: "silent" }));
  try {
    await redis.ping();
    const rawKey = `bench:${randomUUID().slice(0, 8)}:raw`;
    const count = 100_000;
    const seconds = await rawXaddPipelined(redis, rawKey, count);
    await redis.unlink(rawKey);
    const rows: Row[] = [{ benchmark: "cluster: raw XADD, pipelined x100 (one key: one master)", events: count, "events/s": round(count / seconds, 0), "vs raw pipelined": `${round((100 * count) / seconds / rawPipeRate, 1)}%` }];
    return [...rows, ...(await storeRows(redis, "cluster: ", [[64, 600, 1], [256, 200, 1], [64, 40, 100]], 5000, rawPipeRate))];
  } finally {
    redis.disconnect();
    await cluster.close();
  }
};

export async function benchEventStore(): Promise<Row[]> {
  const redis = new Redis(redisUrl);
  const rawKey = `bench:${randomUUID().slice(0, 8)}:raw`;
  const rows: Row[] = [];
  try {
    const sequentialCount = 20_000;
    const pipelinedCount = 200_000;
    const rawSeq = await rawXaddSequential(redis, rawKey, sequentialCount);
    const rawPipe = await rawXaddPipelined(redis, rawKey, pipelinedCount);
    const rawPipeRate = pipelinedCount / rawPipe;
    rows.push({ benchmark: "raw XADD, one at a time", events: sequentialCount, "events/s": round(sequentialCount / rawSeq, 0), "vs raw pipelined": "" });
    rows.push({ benchmark: "raw XADD, pipelined x100", events: pipelinedCount, "events/s": round(rawPipeRate, 0), "vs raw pipelined": "100%" });
    rows.push(...(await storeRows(redis, "", [[1, 5000, 1], [64, 600, 1], [256, 200, 1], [64, 200, 10], [64, 40, 100]], 10_000, rawPipeRate)));
    rows.push(...(await clusterRows(rawPipeRate)));
  } finally {
    await redis.unlink(rawKey);
    redis.disconnect();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await benchEventStore());
}
