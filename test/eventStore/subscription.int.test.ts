import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../events/registry.ts";
import type { EventStore, StoredEvent } from "../../src/eventStore/eventStore.ts";
import type { RedisClient } from "../../src/infra/redis.ts";
import { createKeys } from "../../src/eventStore/keys.ts";
import { createTestStore, testMeta } from "../support/redis.ts";

const logger = pino({ level: "silent" });
const updated = (context: string): DomainEvent => ({ type: "SessionUpdated", data: { context } });

let store: EventStore;
let close: () => Promise<void>;
let redis: RedisClient;
let prefix: string;

beforeAll(async () => {
  ({ store, close, redis, prefix } = await createTestStore(2));
});
afterAll(async () => close());

const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

const appendMany = async (count: number, tag: string) => {
  for (let index = 0; index < count; index += 1) {
    await store.append(randomUUID(), 0, [updated(`${tag}-${index}`)], { meta: testMeta });
  }
};

describe("subscriptions", () => {
  it("delivers every event once and acks after the handler succeeds", async () => {
    const seen: string[] = [];
    const sub = store.subscribe({ group: `g-${randomUUID()}`, logger, blockMs: 100,
      handle: async (batch) => { seen.push(...batch.map((event) => String((event.envelope.data as { context: string }).context))); } });
    await sub.start();
    await appendMany(30, "a");
    await waitFor(() => seen.filter((c) => c.startsWith("a-")).length === 30);
    await sub.stop();
    expect(new Set(seen).size).toBe(seen.length);
    const pending = await redis.xpending(createKeys(prefix).partitionLog(0), sub.group);
    expect((pending as [number])[0]).toBe(0);
  });

  it("hands a dead consumer's unacked entries to another consumer", async () => {
    const group = `g-${randomUUID()}`;
    // The first consumer takes a batch and dies before acking (its handler never returns).
    const taken: StoredEvent[] = [];
    const doomed = store.subscribe({ group, logger, blockMs: 100, consumer: "doomed",
      handle: (batch) => { taken.push(...batch); return new Promise<void>(() => {}); } });
    await doomed.start();
    await appendMany(5, "b");
    await waitFor(() => taken.length > 0);
    void doomed.stop(); // never resolves: its handler is stuck, like a killed process

    const rescued: string[] = [];
    const survivor = store.subscribe({ group, logger, blockMs: 100, claimIdleMs: 200, consumer: "survivor",
      handle: async (batch) => { rescued.push(...batch.map((event) => event.entryId)); } });
    await survivor.start();
    await waitFor(() => taken.every((event) => rescued.includes(event.entryId)));
    await survivor.stop();
  });

  it("moves an always-failing entry to the dead-letter stream after the limit and keeps the rest flowing", async () => {
    const poisonSession = randomUUID();
    const group = `g-${randomUUID()}`;
    const handled: string[] = [];
    let attempts = 0;
    const sub = store.subscribe({ group, logger, blockMs: 100, claimIdleMs: 100, maxDeliveries: 3,
      handle: async (batch) => {
        if (batch.some((event) => event.envelope.sessionId === poisonSession)) {
          attempts += 1;
          throw new Error("cannot project this");
        }
        handled.push(...batch.map((event) => event.envelope.sessionId));
      } });
    await sub.start();
    await store.append(poisonSession, 0, [updated("poison")], { meta: testMeta });
    await appendMany(10, "c");
    await waitFor(async () => (await sub.deadLetters.count()) === 1);
    await waitFor(() => handled.length >= 10);
    await sub.stop();
    const [letter] = await sub.deadLetters.list();
    expect(letter?.error).toBe("cannot project this");
    expect(letter?.deliveries).toBe(3);
    expect(JSON.parse(letter?.raw ?? "{}").sessionId).toBe(poisonSession);
    expect(attempts).toBe(3);
    expect(handled).not.toContain(poisonSession);
  });

  it("replays dead letters through a handler that now succeeds", async () => {
    const group = `g-${randomUUID()}`;
    let broken = true;
    const handled: string[] = [];
    const handle = async (batch: readonly StoredEvent[]) => {
      if (broken) throw new Error("down");
      handled.push(...batch.map((event) => event.entryId));
    };
    const sub = store.subscribe({ group, logger, blockMs: 100, claimIdleMs: 50, maxDeliveries: 2, partitions: [0, 1], handle });
    await sub.start();
    await store.append(randomUUID(), 0, [updated("late")], { meta: testMeta });
    await waitFor(async () => (await sub.deadLetters.count()) >= 1);
    await sub.stop();
    broken = false;
    const replayed = await sub.deadLetters.replay(handle);
    expect(replayed).toBeGreaterThanOrEqual(1);
    expect(await sub.deadLetters.count()).toBe(0);
    expect(handled.length).toBe(replayed);
  });
});
