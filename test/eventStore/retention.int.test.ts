import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { EventStore, StoredEvent } from "../../src/eventStore/eventStore.ts";
import type { RedisClient } from "../../src/infra/redis.ts";
import { createKeys } from "../../src/eventStore/keys.ts";
import { createTestStore, testMeta } from "../support/redis.ts";

let store: EventStore;
let close: () => Promise<void>;
let redis: RedisClient;
let prefix: string;
beforeAll(async () => {
  ({ store, close, redis, prefix } = await createTestStore(1));
});
afterAll(async () => close());

const logger = pino({ level: "silent" });
const waitFor = async (check: () => boolean) => {
  for (let tries = 0; tries < 400 && !check(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(check()).toBe(true);
};

it("never trims what a group has not acknowledged, nor anything before the archive group exists", async () => {
  for (let index = 0; index < 10; index += 1) {
    await store.append(randomUUID(), 0, [{ type: "SessionUpdated", data: { context: `c${index}` } }], { meta: testMeta });
  }
  const everything = async () => "9999999999999-0";
  expect(await store.trimPartitionLogs(["archive"], everything)).toBe(0);

  const archived: StoredEvent[] = [];
  const archive = store.subscribe({ group: "archive", logger, blockMs: 50, handle: async (batch) => { archived.push(...batch); } });
  let stuck = true;
  const seen: StoredEvent[] = [];
  const slow = store.subscribe({ group: "slow", logger, blockMs: 50, claimIdleMs: 60_000,
    handle: async (batch) => { seen.push(...batch); if (stuck) throw new Error("not yet"); } });
  await archive.start();
  await slow.start();
  await waitFor(() => archived.length === 10 && seen.length >= 10);
  // "slow" holds every entry pending: nothing can go.
  expect(await store.trimPartitionLogs(["archive"], everything)).toBe(0);
  await slow.stop();
  await archive.stop();

  stuck = false;
  const key = createKeys(prefix).partitionLog(0);
  const pendingIds = ((await redis.xpending(key, "slow", "-", "+", 100)) as [string][]).map(([id]) => id);
  await redis.xack(key, "slow", ...pendingIds);
  // Both groups acknowledged everything, but the archive has committed only up to the fourth
  // entry (an acknowledgement may be a dead letter): only the three before it may go.
  const ids = archived.map((event) => event.entryId);
  expect(await store.trimPartitionLogs(["archive"], async () => ids[3] ?? null)).toBe(3);
  expect(await store.trimPartitionLogs(["archive"], async () => null)).toBe(0);
  // Once the archive has committed everything, all but the last delivered entry may go.
  expect(await store.trimPartitionLogs(["archive"], everything)).toBe(6);
  expect(await redis.xlen(key)).toBe(1);
});
