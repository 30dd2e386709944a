import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allProjections, sessionsProjection } from "../../projections/index.ts";
import { runReplay } from "../../src/cli/replay.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import type { Database } from "../../src/infra/database.ts";
import { createProjector, type Projector } from "../../src/projector/projector.ts";
import { replayProjection } from "../../src/projector/replay.ts";
import { createPositionWaiter } from "../../src/readModels/waitForPosition.ts";
import { createTestDatabase } from "../support/postgres.ts";
import { createTestStore } from "../support/redis.ts";
import { assistantFrame, create, enqueue, sessionCommands, silent } from "./support.ts";

let store: EventStore;
let db: Database;
let schema: string;
let projector: Projector;
const closers: (() => Promise<void>)[] = [];
const sessions = Array.from({ length: 8 }, () => randomUUID());

/**
 * Each session: 1 SessionCreated, 2 PromptEnqueued "do p1", 3 JobStarted, 4-5 RunnerEventEmitted,
 * 6 PromptEnqueued "do p2".
 */
const seed = (sessionId: string) =>
  sessionCommands(store)(sessionId, create(), enqueue("p1"), { type: "StartJob", data: { jobId: "j1", promptId: "p1", runnerId: "r", leaseMs: 1000 } },
    assistantFrame("j1", 1, "msg_1", { type: "text", text: "a" }), assistantFrame("j1", 2, "msg_1", { type: "text", text: "b" }), enqueue("p2"));

const caughtUp = async () => {
  const wait = createPositionWaiter({ db, projections: projector.projections, projector, pollMs: 25 });
  for (let partition = 0; partition < store.partitions; partition += 1) {
    const last = await store.lastEntryId(partition);
    if (last) expect(await wait(`${partition}:${last}`, 10_000)).toBe(true);
  }
};

beforeAll(async () => {
  const redis = await createTestStore(2);
  const database = await createTestDatabase();
  ({ store } = redis);
  ({ db, schema } = database);
  closers.push(redis.close, database.close);
  projector = createProjector({ store, db, projections: allProjections, logger: silent, blockMs: 50, batchSize: 7 });
  await projector.start();
  closers.unshift(() => projector.stop());
  for (const sessionId of sessions) await seed(sessionId);
  await caughtUp();
  // The intact archive, to undo each tampering with.
  await sql`create table archive_copy as select * from event_archive`.execute(db);
}, 60_000);
afterAll(async () => {
  for (const close of closers) await close();
});

/** What a user of the read models sees, and where every projection (and any rebuild) stands. */
const snapshot = async () => ({
  sessions: (await sql`select * from claude_code_sessions order by id`.execute(db)).rows,
  prompts: (await sql`select * from session_prompts order by session_id, prompt_id`.execute(db)).rows,
  messages: (await sql`select * from session_messages order by id`.execute(db)).rows,
  checkpoints: (await sql`select projection, partition, entry_id from projection_checkpoints order by projection, partition`.execute(db)).rows,
  shadows: (await sql`select nspname from pg_namespace where nspname like ${`${schema}__%`}`.execute(db)).rows,
});

const replay = async (...args: string[]) => {
  const err: string[] = [];
  const deps = { db, store, logger: silent, projections: allProjections, out: { write: () => true }, err: { write: (text: string) => err.push(text) } };
  return { code: await runReplay(args, deps), err: err.join("") };
};

const restoreArchive = () => sql`delete from event_archive; insert into event_archive select * from archive_copy`.execute(db);

it("an intact archive rebuilds every read model, also when interrupted and resumed, equal to the live ones", async () => {
  const before = await snapshot();
  const controller = new AbortController();
  const interrupted = await replayProjection({ db, store, projection: sessionsProjection, source: "archive", dryRun: false, logger: silent,
    chunkSize: 5, concurrency: 1, signal: controller.signal, onProgress: () => controller.abort() });
  expect(interrupted.status).toBe("interrupted");
  // The resumed run takes each session's chain up where the first one stopped: no false alarm.
  const resumed = await replay("sessions", "--from", "archive");
  expect(resumed).toMatchObject({ code: 0 });
  expect(resumed.err).toMatch(/sessions: rebuilt and swapped in: .*resumed/);
  expect((await replay("--all", "--from", "archive")).code).toBe(0);
  await caughtUp();
  expect(await snapshot()).toEqual(before);
});

interface Tamper {
  readonly what: string;
  readonly session: number;
  readonly version: number;
  readonly reason: string;
  readonly edit: (sessionId: string) => Promise<unknown>;
}

const where = (sessionId: string, version: number) => sql`session_id = ${sessionId} and version = ${version}`;

const tampers: readonly Tamper[] = [
  {
    what: "a prompt rewritten to TAMPERED", session: 0, version: 2, reason: "hash_mismatch",
    edit: (id) => sql`update event_archive set data = replace(data::text, 'do p1', 'TAMPERED')::json where ${where(id, 2)}`.execute(db),
  },
  { what: "a session's first event deleted (the session would vanish)", session: 1, version: 1, reason: "version_gap", edit: (id) => sql`delete from event_archive where ${where(id, 1)}`.execute(db) },
  { what: "the actor column edited", session: 2, version: 3, reason: "column_mismatch \\(actor\\)", edit: (id) => sql`update event_archive set actor = 'mallory' where ${where(id, 3)}`.execute(db) },
  {
    what: "two events' log positions swapped", session: 3, version: 4, reason: "position_order",
    edit: async (id) => {
      const place = (version: number) => sql`(select array[entry_ms, entry_seq] from archive_copy where ${where(id, version)})`;
      await sql`update event_archive set entry_ms = -1, entry_seq = -1, entry_id = '-1--1' where ${where(id, 4)}`.execute(db);
      await sql`update event_archive set entry_ms = ${place(4)}[1], entry_seq = ${place(4)}[2], entry_id = (select entry_id from archive_copy where ${where(id, 4)}) where ${where(id, 5)}`.execute(db);
      await sql`update event_archive set entry_ms = ${place(5)}[1], entry_seq = ${place(5)}[2], entry_id = (select entry_id from archive_copy where ${where(id, 5)}) where ${where(id, 4)}`.execute(db);
    },
  },
  { what: "an event moved under a partition that does not exist", session: 4, version: 5, reason: "column_mismatch \\(partition\\)", edit: (id) => sql`update event_archive set partition = 7 where ${where(id, 5)}`.execute(db) },
  {
    what: "an event moved to the other partition", session: 6, version: 3, reason: "column_mismatch \\(partition\\)",
    // A sequence number far from the others: the position stays unique in the other partition, and entry_id agrees with it.
    edit: (id) => sql`update event_archive set partition = 1 - partition, entry_seq = entry_seq + 1000000,
      entry_id = entry_ms::text || '-' || (entry_seq + 1000000)::text where ${where(id, 3)}`.execute(db),
  },
  { what: "a prev_hash edited", session: 5, version: 6, reason: "prev_hash_mismatch", edit: (id) => sql`update event_archive set prev_hash = repeat('0', 64) where ${where(id, 6)}`.execute(db) },
];

describe("replay --from archive refuses a tampered archive", () => {
  for (const tamper of tampers) {
    it(`${tamper.what}: exit 1 naming session and version, live read models untouched`, async () => {
      const sessionId = sessions[tamper.session] ?? "";
      await tamper.edit(sessionId);
      try {
        const before = await snapshot();
        const { code, err } = await replay("--all", "--from", "archive");
        expect(code).toBe(1);
        expect(err).toMatch(new RegExp(`replay failed: the archive fails verification at session ${sessionId} version ${tamper.version}: ${tamper.reason}`));
        expect(err).not.toMatch(/swapped in:/);
        expect(await snapshot()).toEqual(before);
      } finally {
        await restoreArchive();
      }
    });
  }
});
