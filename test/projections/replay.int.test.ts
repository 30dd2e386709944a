import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { allProjections, sessionsProjection } from "../../projections/index.ts";
import { runReplay } from "../../src/cli/replay.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import type { Database } from "../../src/infra/database.ts";
import { createProjector, type Projector } from "../../src/projector/projector.ts";
import { replayProjection } from "../../src/projector/replay.ts";
import { createPositionWaiter } from "../../src/readModels/waitForPosition.ts";
import { createTestDatabase } from "../support/postgres.ts";
import { createTestStore } from "../support/redis.ts";
import type { RedisClient } from "../../src/infra/redis.ts";
import { createKeys } from "../../src/eventStore/keys.ts";
import { assistantFrame, create, enqueue, sessionCommands, silent } from "./support.ts";

let store: EventStore;
let raw: { redis: RedisClient; prefix: string };
let db: Database;
let schema: string;
let projector: Projector;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const redis = await createTestStore(2);
  const database = await createTestDatabase();
  ({ store } = redis);
  raw = redis;
  ({ db, schema } = database);
  closers.push(redis.close, database.close);
  projector = createProjector({ store, db, projections: allProjections, logger: silent, blockMs: 50, batchSize: 7 });
  await projector.start();
  closers.unshift(() => projector.stop());
});
afterAll(async () => {
  for (const close of closers) await close();
});

const snapshot = async () => ({
  sessions: (await sql`select * from claude_code_sessions order by id`.execute(db)).rows,
  prompts: (await sql`select * from session_prompts order by session_id, prompt_id`.execute(db)).rows,
  messages: (await sql`select * from session_messages order by id`.execute(db)).rows,
});

const oneSession = async () => {
  const run = sessionCommands(store);
  const id = randomUUID();
  return run(id, create(), enqueue("p1"), { type: "StartJob", data: { jobId: "j1", promptId: "p1", runnerId: "r", leaseMs: 1000 } },
    assistantFrame("j1", 1, "msg_1", { type: "text", text: "a" }), assistantFrame("j1", 2, "msg_1", { type: "text", text: "b" }), enqueue("p2"));
};

const caughtUp = async () => {
  const wait = createPositionWaiter({ db, projections: projector.projections, projector, pollMs: 25 });
  for (let partition = 0; partition < store.partitions; partition += 1) {
    const last = await store.lastEntryId(partition);
    if (last) expect(await wait(`${partition}:${last}`, 10_000)).toBe(true);
  }
};

const output = () => {
  const lines: string[] = [];
  return { lines, sink: { write: (text: string) => lines.push(text) } };
};

it("rebuilds while the live projector runs and writes keep coming, interrupted once and resumed, losing nothing", async () => {
  for (let index = 0; index < 12; index += 1) await oneSession();
  let writing = true;
  const writer = (async () => {
    while (writing) await oneSession();
  })();

  const controller = new AbortController();
  const interrupted = await replayProjection({ db, store, projection: sessionsProjection, source: "redis", dryRun: false, logger: silent,
    chunkSize: 5, concurrency: 1, signal: controller.signal, onProgress: () => controller.abort() });
  expect(interrupted.status).toBe("interrupted");

  const err = output();
  const deps = { db, store, logger: silent, projections: allProjections, out: output().sink, err: err.sink };
  expect(await runReplay(["sessions"], deps)).toBe(0);
  expect(err.lines.join("")).toMatch(/sessions: rebuilt and swapped in: .*resumed/);
  writing = false;
  await writer;
  await caughtUp();
  const afterLiveSwap = await snapshot();
  expect(afterLiveSwap.messages.length).toBeGreaterThan(12 * 3);

  expect(await runReplay(["--all"], deps)).toBe(0);
  expect(await snapshot()).toEqual(afterLiveSwap);
  // The projector still works on the swapped-in tables.
  const position = await oneSession();
  expect(await createPositionWaiter({ db, projections: projector.projections, projector }) (position ?? "", 5000)).toBe(true);
});

it("a dry run rebuilds, reports row counts and leaves the live tables and schemas as they were", async () => {
  await caughtUp();
  const before = await snapshot();
  const out = output();
  const deps = { db, store, logger: silent, projections: allProjections, out: output().sink, err: out.sink };
  expect(await runReplay(["sessions", "--dry-run"], deps)).toBe(0);
  expect(out.lines.join("")).toMatch(new RegExp(`dry run, discarded.*claude_code_sessions ${before.sessions.length} rows \\(live ${before.sessions.length}\\)`));
  expect(await snapshot()).toEqual(before);
  const schemas = await sql<{ nspname: string }>`select nspname from pg_namespace where nspname like ${`${schema}__%`}`.execute(db);
  expect(schemas.rows).toEqual([]);
});

it("refuses bad arguments with the usage and exit code 2", async () => {
  const err = output();
  const deps = { db, store, logger: silent, projections: allProjections, out: output().sink, err: err.sink };
  expect(await runReplay([], deps)).toBe(2);
  expect(await runReplay(["nope"], deps)).toBe(2);
  expect(await runReplay(["archive", "--from", "archive"], deps)).toBe(2);
  expect(err.lines.join("")).toContain("usage: ccm replay");
});

it("refuses to rebuild from a trimmed partition log, which would miss history", async () => {
  await oneSession();
  // What retention does once everything is archived: the oldest entries leave the log.
  const key = createKeys(raw.prefix).partitionLog(0);
  expect(await raw.redis.xtrim(key, "MAXLEN", (await raw.redis.xlen(key)) - 1)).toBe(1);
  const err = output();
  const deps = { db, store, logger: silent, projections: allProjections, out: output().sink, err: err.sink };
  expect(await runReplay(["sessions", "--from", "redis"], deps)).toBe(1);
  expect(err.lines.join("")).toContain("trimmed");
  expect(await runReplay(["archive", "--from", "redis"], deps)).toBe(1);
  expect(err.lines.join("")).toContain("The archive cannot be rebuilt from a trimmed log");
});

it("by default (--from auto) reads the archive once the logs are trimmed, and keeps the archive as it is", async () => {
  await caughtUp();
  const before = await snapshot();
  const err = output();
  const deps = { db, store, logger: silent, projections: allProjections, out: output().sink, err: err.sink };
  expect(await runReplay(["--all"], deps)).toBe(0);
  expect(err.lines.join("")).toContain("reading the archive; archive is kept as it is");
  expect(err.lines.join("")).toMatch(/sessions: rebuilt and swapped in/);
  expect(err.lines.join("")).not.toMatch(/archive: rebuilt/);
  expect(await snapshot()).toEqual(before);
  expect(await runReplay(["archive"], deps)).toBe(1);
  expect(err.lines.join("")).toContain("archive cannot be rebuilt from itself");
});
