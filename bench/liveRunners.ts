/**
 * The runners of the live benchmark, in a process of their own (as real runners are): on
 * `{ prefix, sessions, rate, lockstep, seconds }` they append RunnerEventEmitted events to every
 * session at `rate` per second, each stamped with the absolute time its append started, and
 * answer with the sessions' new heads. The clients measure latency against that stamp. Each
 * session keeps its own phase, spread over one interval, as independent runners do; in
 * `lockstep` every session appends in the same instant.
 */
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { createEventStore, type EventStore } from "../src/eventStore/eventStore.ts";

interface Head {
  readonly id: string;
  version: number;
  hash: string;
  appended: number;
}

interface Order {
  readonly prefix: string;
  readonly sessions: Head[];
  readonly rate: number;
  readonly lockstep: boolean;
  readonly seconds: number;
}

const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const meta = { actor: "bench", correlationId: "bench", causationId: null, requestId: null };
const text = "The quick brown fox jumps over the lazy dog. ".repeat(9);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const run = async (store: EventStore, order: Order) => {
  const interval = 1000 / order.rate;
  const started = performance.now();
  const deadline = started + order.seconds * 1000;
  await Promise.all(order.sessions.map(async (session, index) => {
    const phase = order.lockstep ? 0 : (index * interval) / order.sessions.length;
    await sleep(phase);
    for (let seq = 0; performance.now() < deadline; seq += 1) {
      const sentAt = performance.timeOrigin + performance.now();
      const event = { type: "RunnerEventEmitted" as const, data: { jobId: "bench-job", seq, kind: "assistant", message: { sentAt, text } } };
      const result = await store.append(session.id, session.version, [event], { meta, expectedHash: session.hash });
      session.version = result.version;
      session.hash = result.lastHash;
      session.appended += 1;
      await sleep(Math.max(0, started + phase + (seq + 1) * interval - performance.now()));
    }
  }));
  return order.sessions;
};

const redis = new Redis(redisUrl);
process.on("message", (message) => {
  const order = message as Order;
  void createEventStore({ redis, prefix: order.prefix, partitions: 8 })
    .then((store) => run(store, order))
    .then((sessions) => process.send?.({ sessions }));
});
process.on("disconnect", () => {
  redis.disconnect();
  process.exit(0);
});
process.send?.({ ready: true });
