import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { allProjections } from "../../projections/index.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import type { Database } from "../../src/infra/database.ts";
import { createAdvancer } from "../../src/projector/advance.ts";
import { projectionGroup } from "../../src/projector/checkpoints.ts";
import { createProjector } from "../../src/projector/projector.ts";
import { createPositionWaiter } from "../../src/readModels/waitForPosition.ts";
import { runReplay } from "../../src/cli/replay.ts";
import { createTestDatabase } from "../support/postgres.ts";
import { createTestStore } from "../support/redis.ts";
import { histories, runHistory } from "./histories.ts";
import { silent } from "./support.ts";

let db: Database;
let closeDb: () => Promise<void>;
beforeAll(async () => {
  ({ db, close: closeDb } = await createTestDatabase());
});
afterAll(async () => closeDb());

const TABLES = { claude_code_sessions: "id", session_prompts: "session_id, prompt_id", session_messages: "id", event_archive: "partition, entry_ms, entry_seq" };

const snapshot = async () => {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(TABLES)) {
    out[table] = (await sql.raw<Record<string, unknown>>(`select * from ${table} order by ${order}`).execute(db)).rows;
  }
  return out;
};

const reset = async () => {
  await sql`truncate claude_code_sessions, session_prompts, session_messages, session_permissions, event_archive, projection_checkpoints`.execute(db);
};

/** A tiny seeded generator, so faults follow the fast-check seed. */
const prng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

const logEnds = async (store: EventStore) => {
  const ends: string[] = [];
  for (let partition = 0; partition < store.partitions; partition += 1) {
    const last = await store.lastEntryId(partition);
    if (last) ends.push(`${partition}:${last}`);
  }
  return ends;
};

/** Hands random slices of the log to the advancer again: stale redeliveries and early, out-of-order ones. */
const redeliverRandomSlices = async (store: EventStore, random: () => number) => {
  for (const projection of allProjections) {
    const advance = createAdvancer({ db, store, projection, group: projectionGroup(projection.name), logger: silent, onCheckpoint: () => undefined });
    for (let partition = 0; partition < store.partitions; partition += 1) {
      const log = await store.readPartition(partition, "-", "+", 10_000);
      const from = Math.floor(random() * log.length);
      const slice = log.slice(from, from + 1 + Math.floor(random() * 10));
      if (slice.length > 0) await advance(partition, slice);
    }
  }
};

it("read models built incrementally (faults, redeliveries, a kill and restart) equal the ones replay rebuilds", async () => {
  await fc.assert(
    fc.asyncProperty(histories(3), fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }),
      async (steps, batchSize, seed, killAt) => {
        await reset();
        const { store, close } = await createTestStore(3);
        const random = prng(seed);
        const dead = new Set<string>();
        const lastFaulted = new Set<string>();
        const hooks = (consumer: string) => ({
          beforeCommit: (projection: string, partition: number) => {
            const key = `${consumer}/${projection}/${partition}`;
            if (dead.has(consumer)) throw new Error("killed before commit");
            // Never the same spot twice in a row: a fault is a crash, not a poison event.
            if (!lastFaulted.has(key) && random() < 0.15) {
              lastFaulted.add(key);
              throw new Error("crashed before commit");
            }
            lastFaulted.delete(key);
          },
        });
        const options = { store, db, projections: allProjections, logger: silent, batchSize, blockMs: 50, claimIdleMs: 150 };
        const first = createProjector({ ...options, consumer: "first", hooks: hooks("first") });
        const second = createProjector({ ...options, consumer: "second", hooks: hooks("second") });
        try {
          const sessionIds = [randomUUID(), randomUUID(), randomUUID()];
          const cut = Math.floor(steps.length * killAt);
          await first.start();
          await runHistory(store, sessionIds, steps.slice(0, cut));
          await redeliverRandomSlices(store, random);
          dead.add("first"); // dies holding whatever it was delivered; its batches never commit
          await runHistory(store, sessionIds, steps.slice(cut, cut + 5), cut);
          await first.stop();
          await second.start();
          await runHistory(store, sessionIds, steps.slice(cut + 5), cut + 5);
          await redeliverRandomSlices(store, random);
          const wait = createPositionWaiter({ db, projections: allProjections.map((p) => p.name), projector: second, pollMs: 50 });
          for (const position of await logEnds(store)) expect(await wait(position, 20_000)).toBe(true);
          await second.stop();

          const incremental = await snapshot();
          expect(incremental["event_archive"]?.length).toBeGreaterThan(0);
          const deps = { db, store, logger: silent, projections: allProjections, out: { write: () => true }, err: { write: () => true } };
          expect(await runReplay(["--all"], deps)).toBe(0);
          expect(await snapshot()).toEqual(incremental);
          expect(await runReplay(["sessions", "--from", "archive"], deps)).toBe(0);
          expect(await snapshot()).toEqual(incremental);
        } finally {
          dead.add("second");
          await first.stop();
          await second.stop();
          await close();
        }
      }),
    { numRuns: 8 },
  );
}, 240_000);
