import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { canonicalJson } from "../../events/envelope.ts";
import { allProjections } from "../../projections/index.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import type { Database } from "../../src/infra/database.ts";
import { createProjector, type Projector } from "../../src/projector/projector.ts";
import { runProjections } from "../../src/cli/projections.ts";
import { createSessionReads } from "../../src/readModels/sessionReads.ts";
import { createTestDatabase } from "../support/postgres.ts";
import { createTestStore } from "../support/redis.ts";
import type { RedisClient } from "../../src/infra/redis.ts";
import { createKeys } from "../../src/eventStore/keys.ts";
import { create, enqueue, sessionCommands, silent } from "./support.ts";

let store: EventStore;
let raw: { redis: RedisClient; prefix: string };
let db: Database;
let projector: Projector;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const redis = await createTestStore(1);
  const database = await createTestDatabase();
  ({ store } = redis);
  raw = redis;
  ({ db } = database);
  closers.push(redis.close, database.close);
  projector = createProjector({ store, db, projections: allProjections, logger: silent, blockMs: 100 });
  await projector.start();
  closers.unshift(() => projector.stop());
});
afterAll(async () => {
  for (const close of closers) await close();
});

/** An entry no validator let through: a SessionUpdated whose status is not one of ours. */
const appendPoison = async (sessionId: string) => {
  const body = {
    eventId: randomUUID(), type: "SessionUpdated", schemaVersion: 1, sessionId, version: 2, occurredAt: new Date().toISOString(),
    data: { status: "exploded" }, meta: { actor: "intruder", correlationId: "c", causationId: null, requestId: null }, prevHash: "0".repeat(64),
  };
  return raw.redis.xadd(createKeys(raw.prefix).partitionLog(0), "*", "s", sessionId, "v", 2, "e", canonicalJson(body), "h", "f".repeat(64));
};

it("a poison event goes to the dead letters, stays visible, and the projection keeps going", async () => {
  const run = sessionCommands(store);
  const healthy = randomUUID();
  await run(healthy, create());
  const poisonId = await appendPoison(randomUUID());
  const position = await run(healthy, enqueue("p1", "still flowing"));

  const reads = createSessionReads({ db, projections: projector.projections, projector });
  expect(await reads.waitForPosition(position ?? "", 10_000)).toBe(true);
  expect(await reads.listQueuedMessages(healthy)).toMatchObject([{ text: "still flowing" }]);

  const letters = await projector.deadLetters("sessions").list();
  expect(letters).toEqual([expect.objectContaining({ entryId: poisonId, error: expect.stringContaining("exploded") })]);
  // The archive keeps what it cannot decode: auditors see the intruder's event too.
  const archived = await db.selectFrom("event_archive").select(["entry_id", "actor"]).where("entry_id", "=", poisonId).execute();
  expect(archived).toEqual([{ entry_id: poisonId, actor: "intruder" }]);

  const lag = await projector.lag();
  expect(lag.find((row) => row.projection === "sessions")).toMatchObject({ behind: 0, deadLetters: 1 });
  const out: string[] = [];
  const deps = { db, store, logger: silent, projections: allProjections, out: { write: (text: string) => out.push(text) }, err: { write: () => true } };
  expect(await runProjections(["--dead-letters"], deps)).toBe(0);
  expect(out.join("")).toMatch(/sessions: behind 0, oldest unprocessed -, dead letters 1/);
  expect(out.join("")).toContain(`dead letter 0:${poisonId}`);
});
