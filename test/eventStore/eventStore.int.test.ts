import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH, verifyChain } from "../../events/envelope.ts";
import type { DomainEvent } from "../../events/registry.ts";
import { VersionConflictError } from "../../src/eventStore/errors.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import type { RedisClient } from "../../src/infra/redis.ts";
import { createTestStore, testMeta } from "../support/redis.ts";

const updated = (n: number): DomainEvent => ({ type: "SessionUpdated", data: { context: `c${n}` } });

let store: EventStore;
let close: () => Promise<void>;
let raw: { redis: RedisClient; prefix: string };

beforeAll(async () => {
  const opened = await createTestStore(4);
  ({ store, close } = opened);
  raw = opened;
});
afterAll(async () => close());

describe("append", () => {
  it("writes contiguous versions from 1 and chains hashes from the genesis hash", async () => {
    const sessionId = randomUUID();
    const first = await store.append(sessionId, 0, [updated(1), updated(2)], { meta: testMeta });
    const second = await store.append(sessionId, 2, [updated(3)], { meta: testMeta, expectedHash: first.lastHash });
    expect(second.version).toBe(3);
    const { events } = await store.readSession(sessionId);
    expect(events.map((event) => event.version)).toEqual([1, 2, 3]);
    expect(events[0]?.prevHash).toBe(GENESIS_HASH);
    expect(events[2]?.prevHash).toBe(events[1]?.hash);
    expect(verifyChain(sessionId, events)).toEqual({ ok: true, events: 3 });
    expect(second.position).toBe(`${store.partitionFor(sessionId)}:${second.entryIds[0]}`);
  });

  it("rejects a stale expected version with a typed error and writes nothing", async () => {
    const sessionId = randomUUID();
    await store.append(sessionId, 0, [updated(1)], { meta: testMeta });
    await expect(store.append(sessionId, 0, [updated(2)], { meta: testMeta })).rejects.toBeInstanceOf(VersionConflictError);
    expect((await store.readSession(sessionId)).events).toHaveLength(1);
  });

  it("rejects a prevHash that is not the head's hash", async () => {
    const sessionId = randomUUID();
    await store.append(sessionId, 0, [updated(1)], { meta: testMeta });
    await expect(store.append(sessionId, 1, [updated(2)], { meta: testMeta, expectedHash: GENESIS_HASH })).rejects.toBeInstanceOf(VersionConflictError);
  });

  it("answers a repeated idempotency key with the first result and appends once", async () => {
    const sessionId = randomUUID();
    const first = await store.append(sessionId, 0, [updated(1)], { meta: testMeta, idempotencyKey: "k1" });
    const again = await store.append(sessionId, 0, [updated(1)], { meta: testMeta, idempotencyKey: "k1" });
    expect(again).toEqual({ ...first, duplicate: true });
    expect((await store.readSession(sessionId)).events).toHaveLength(1);
    expect((await store.readPartition(store.partitionFor(sessionId))).filter((e) => e.envelope.sessionId === sessionId)).toHaveLength(1);
  });

  it("refuses events that do not match their schema", async () => {
    const bad = { type: "SessionUpdated", data: { status: "exploded" } } as unknown as DomainEvent;
    await expect(store.append(randomUUID(), 0, [bad], { meta: testMeta })).rejects.toThrow(/invalid SessionUpdated/);
  });

  it("keeps the partition count fixed once the deployment stored it", async () => {
    const { createEventStore } = await import("../../src/eventStore/eventStore.ts");
    const reopened = await createEventStore({ redis: raw.redis, prefix: raw.prefix, partitions: 64 });
    expect(reopened.partitions).toBe(4);
  });
});

describe("concurrent writers (property)", () => {
  it("keep versions contiguous, lose and duplicate nothing, and fill the partition log in session order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 20, max: 32 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), async (writers, sessionCount, batch) => {
        const sessions = Array.from({ length: sessionCount }, () => randomUUID());
        const attempts = Array.from({ length: writers }, (_, writer) => ({ writer, sessionId: sessions[writer % sessionCount] ?? "" }));
        // Every writer reads the head and appends with what it read: most race and some lose.
        const outcomes = await Promise.all(
          attempts.map(async ({ writer, sessionId }) => {
            const head = await store.readHead(sessionId);
            const events = Array.from({ length: batch }, (_, index) => updated(writer * 10 + index));
            try {
              const result = await store.append(sessionId, head.version, events, { meta: testMeta, expectedHash: head.hash });
              return { sessionId, writer, ok: true as const, version: result.version };
            } catch (error) {
              if (!(error instanceof VersionConflictError)) throw error;
              return { sessionId, writer, ok: false as const };
            }
          }),
        );
        for (const sessionId of sessions) {
          const { events } = await store.readSession(sessionId);
          const winners = outcomes.filter((outcome) => outcome.sessionId === sessionId && outcome.ok);
          expect(events.length).toBe(winners.length * batch);
          expect(events.map((event) => event.version)).toEqual(events.map((_, index) => index + 1));
          expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
          expect(verifyChain(sessionId, events).ok).toBe(true);
          const logged = (await store.readPartition(store.partitionFor(sessionId), "-", "+", 100_000))
            .filter((entry) => entry.envelope.sessionId === sessionId)
            .map((entry) => entry.envelope);
          expect(logged.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId));
        }
      }),
      { numRuns: 15 },
    );
  });

  it("idempotent retries from many writers append exactly once", async () => {
    const sessionId = randomUUID();
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, () => store.append(sessionId, 0, [updated(1)], { meta: testMeta, idempotencyKey: "same" })),
    );
    expect(results.every((result) => result.status === "fulfilled")).toBe(true);
    expect((await store.readSession(sessionId)).events).toHaveLength(1);
    const fresh = results.filter((result) => result.status === "fulfilled" && !result.value.duplicate);
    expect(fresh).toHaveLength(1);
  });
});
