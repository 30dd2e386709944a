import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
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

const rawXaddSequential = async (redis: Redis, key: string, count: number) =>
  timed(async () => {
    for (let index = 0; index < count; index += 1) await redis.xadd(key, "*", "e", samplePayload);
  });

const rawXaddPipelined = async (redis: Redis, key: string, count: number, depth = 100) =>
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

export async function benchEventStore(): Promise<Row[]> {
  const redis = new Redis(redisUrl);
  const prefix = `bench:${randomUUID().slice(0, 8)}:`;
  const store = await createEventStore({ redis, prefix, partitions: 8 });
  const rawKey = `${prefix}raw`;
  const rows: Row[] = [];
  try {
    const sequentialCount = 20_000;
    const pipelinedCount = 200_000;
    const rawSeq = await rawXaddSequential(redis, rawKey, sequentialCount);
    const rawPipe = await rawXaddPipelined(redis, rawKey, pipelinedCount);
    const rawPipeRate = pipelinedCount / rawPipe;
    rows.push({ benchmark: "raw XADD, one at a time", events: sequentialCount, "events/s": round(sequentialCount / rawSeq, 0), "vs raw pipelined": "" });
    rows.push({ benchmark: "raw XADD, pipelined x100", events: pipelinedCount, "events/s": round(rawPipeRate, 0), "vs raw pipelined": "100%" });
    await appendLatencies(store, 1000); // warm-up: script cache, JIT
    for (const [sessions, perSession, batch] of [[1, 5000, 1], [64, 600, 1], [256, 200, 1], [64, 200, 10], [64, 40, 100]] as const) {
      const events = sessions * perSession * batch;
      const seconds = await parallelAppends(store, sessions, perSession, batch);
      rows.push({
        benchmark: `append, ${sessions} session(s) in parallel, ${batch} event(s)/append`,
        events,
        "events/s": round(events / seconds, 0),
        "vs raw pipelined": `${round((100 * events) / seconds / rawPipeRate, 1)}%`,
      });
    }
    const latencies = await appendLatencies(store, 10_000);
    rows.push({
      benchmark: "append latency, single event, sequential (ms)",
      events: latencies.length,
      "events/s": `p50 ${round(percentile(latencies, 50), 3)} / p99 ${round(percentile(latencies, 99), 3)}`,
      "vs raw pipelined": "target p99 < 2 ms",
    });
  } finally {
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await benchEventStore());
}
