import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { GENESIS_HASH } from "../events/envelope.ts";
import type { DomainEvent } from "../events/registry.ts";
import { createEventStore, type EventStore } from "../src/eventStore/eventStore.ts";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import { createSessionCommandHandler, type SessionCommandHandler } from "../src/eventStore/sessionCommandHandler.ts";
import { benchMeta, sessionCreated } from "./fixtures.ts";
import { percentile, round, type Row } from "./stats.ts";

/**
 * The next command on a session that has had 5,000 finished prompts against the same command
 * on a fresh one, through the one command handler (direct execute(), no HTTP), in a key prefix of
 * its own with no consumers. Target: within 2x.
 */
const HISTORY = Number(process.env.BENCH_LONG_SESSION_PROMPTS ?? 5000);
const COMMANDS = Number(process.env.BENCH_LONG_SESSION_COMMANDS ?? 200);
const PROMPTS_PER_APPEND = 50;

/** One finished prompt: enqueued, started, completed. */
const finishedPrompt = (): DomainEvent[] => {
  const promptId = randomUUID();
  const jobId = randomUUID();
  return [
    { type: "PromptEnqueued", data: { promptId, messageId: randomUUID(), prompt: "Explain what parseConfig does.", projectPath: "/repos/app" } },
    { type: "JobStarted", data: { jobId, promptId, runnerId: "bench-runner", leaseMs: 30_000 } },
    { type: "JobCompleted", data: { jobId, promptId, resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.01, numTurns: 1, durationMs: 1200 } },
  ];
};

/** Writes the history straight to the store, `PROMPTS_PER_APPEND` prompts per append. */
const writeHistory = async (store: EventStore, sessionId: string, prompts: number) => {
  let result = await store.append(sessionId, 0, [sessionCreated], { meta: benchMeta, expectedHash: GENESIS_HASH });
  for (let done = 0; done < prompts; done += PROMPTS_PER_APPEND) {
    const events = Array.from({ length: Math.min(PROMPTS_PER_APPEND, prompts - done) }, finishedPrompt).flat();
    result = await store.append(sessionId, result.version, events, { meta: benchMeta, expectedHash: result.lastHash });
  }
};

const enqueue = (handler: SessionCommandHandler, sessionId: string) => handler.execute(
  sessionId,
  { type: "EnqueuePrompt", data: { promptId: randomUUID(), messageId: randomUUID(), prompt: "And one more test, please." } },
  { meta: benchMeta },
);

const timeOne = async (handler: SessionCommandHandler, sessionId: string): Promise<number> => {
  const start = performance.now();
  await enqueue(handler, sessionId);
  return 1000 * (performance.now() - start);
};

const row = (name: string, samples: number[], versus: number[] | null): Row => {
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    benchmark: name,
    "p50 ms": round(percentile(sorted, 50) / 1000, 3),
    "p99 ms": round(percentile(sorted, 99) / 1000, 3),
    "mean µs/command": round(mean(samples), 0),
    "vs fresh": versus === null ? "" : `${round(mean(samples) / mean(versus), 2)}x`,
    target: versus === null ? "baseline" : "<= 2x fresh",
  };
};

/** Times `COMMANDS` sequential EnqueuePrompt on each session, alternating, after a warm-up that also loads both folds. */
export const promptHistoryRows = async (redis: Redis): Promise<Row[]> => {
  const prefix = `bench:longsession:${randomUUID().slice(0, 8)}:`;
  const store = await createEventStore({ redis, prefix, partitions: 8 });
  try {
    const fresh = randomUUID();
    const long = randomUUID();
    await store.append(fresh, 0, [sessionCreated], { meta: benchMeta, expectedHash: GENESIS_HASH });
    await writeHistory(store, long, HISTORY);
    const handler = createSessionCommandHandler(store);
    for (let index = 0; index < 20; index += 1) {
      await enqueue(handler, fresh);
      await enqueue(handler, long);
    }
    const onFresh: number[] = [];
    const onLong: number[] = [];
    for (let index = 0; index < COMMANDS; index += 1) {
      onFresh.push(await timeOne(handler, fresh));
      onLong.push(await timeOne(handler, long));
    }
    return [
      row("baseline: EnqueuePrompt on a fresh session (execute())", onFresh, null),
      row(`EnqueuePrompt on a session with ${HISTORY} finished prompts`, onLong, onFresh),
    ];
  } finally {
    await deleteKeysByPrefix(redis, prefix);
  }
};
