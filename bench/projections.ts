import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { sql } from "kysely";
import pino from "pino";
import type { DomainEvent } from "../events/registry.ts";
import { allProjections, archiveProjection, sessionsProjection } from "../projections/index.ts";
import { createEventStore, type EventStore } from "../src/eventStore/eventStore.ts";
import { deleteKeysByPrefix, openCluster, type RedisClient } from "../src/infra/redis.ts";
import { startRedisCluster } from "../test/support/redisCluster.ts";
import type { Database } from "../src/infra/database.ts";
import { createProjector } from "../src/projector/projector.ts";
import { replayProjection } from "../src/projector/replay.ts";
import { createPositionWaiter } from "../src/readModels/waitForPosition.ts";
import { appendSessions, openBenchSchema, sessionCreated } from "./fixtures.ts";
import { round, timed, type Row } from "./stats.ts";

/**
 * Projection throughput (events/s into Postgres, both projections running, 100k events
 * sustained) beside a raw batched INSERT ... ON CONFLICT of the rows they produced, in the same
 * run; then replay time of the sessions projection for 100k and 1M events.
 * Targets: projection >= 50% of the raw insert rate; 1M-event replay under 2 minutes.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const logger = pino({ level: "silent" });
const PARTITIONS = 8;

const frame = (kind: string, message: Record<string, unknown>) => ({ type: "RunnerEventEmitted" as const, data: { jobId: "", seq: 0, kind, message } });

/** One prompt's worth of events as the runner records them: 14 events. */
const turn = (n: number, first: boolean): DomainEvent[] => {
  const jobId = `job-${n}`;
  const promptId = `prompt-${n}`;
  const events = [
    { type: "PromptEnqueued", data: { promptId, messageId: `msg-${randomUUID()}`, prompt: `Please look at file ${n} and fix the failing test`, projectPath: "/repos/app" } },
    { type: "JobStarted", data: { jobId, promptId, runnerId: "bench", leaseMs: 30_000 } },
    ...(first ? [{ type: "ClaudeSessionLinked", data: { claudeSessionId: randomUUID(), jobId } }] : []),
    frame("system", { type: "system", subtype: "init", cwd: "/repos/app", tools: ["Bash", "Read"] }),
    frame("assistant", { type: "assistant", message: { id: `m1-${n}`, content: [{ type: "thinking", thinking: "Let me think about this carefully. ".repeat(4), signature: "sig".repeat(30) }] } }),
    frame("assistant", { type: "assistant", message: { id: `m1-${n}`, content: [{ type: "text", text: "I'll read the file first." }] } }),
    frame("assistant", { type: "assistant", message: { id: `m1-${n}`, content: [{ type: "tool_use", id: `tu-${n}`, name: "Read", input: { file_path: `/repos/app/src/file${n}.ts` } }] } }),
    frame("user", { type: "user", message: { content: [{ type: "tool_result", tool_use_id: `tu-${n}`, content: "export const x = 1;\n".repeat(20) }] } }),
    frame("assistant", { type: "assistant", message: { id: `m2-${n}`, content: [{ type: "tool_use", id: `tu2-${n}`, name: "Bash", input: { command: "npm test" } }] } }),
    frame("user", { type: "user", message: { content: [{ type: "tool_result", tool_use_id: `tu2-${n}`, content: "1 passing" }] } }),
    frame("assistant", { type: "assistant", message: { id: `m3-${n}`, content: [{ type: "text", text: "Fixed: the test passes now." }] } }),
    frame("result", { type: "result", subtype: "success", total_cost_usd: 0.01 }),
    { type: "JobCompleted", data: { jobId, promptId, resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.0123, numTurns: 3, durationMs: 4200, usage: { input_tokens: 1200, output_tokens: 300 } } },
  ];
  return events.map((event) => (event.type === "RunnerEventEmitted" ? { ...event, data: { ...event.data, jobId, seq: n } } : event)) as DomainEvent[];
};

/** Appends about `count` events: sessions of 10 prompts each, 32 writers in parallel. */
const fill = (store: EventStore, count: number) => {
  const perSession = 1 + 10 * turn(0, false).length + 1;
  return appendSessions(store, Math.ceil(count / perSession), (index) => [
    [sessionCreated, ...turn(index * 10, true)],
    ...Array.from({ length: 9 }, (_, k) => turn(index * 10 + k + 1, false)),
  ]);
};

const openBenchDb = () => openBenchSchema();

/** A store under a fresh prefix on the single Redis, or on `cluster` when given; `close()` deletes its keys. */
const openBenchStore = async (cluster?: RedisClient) => {
  const redis = cluster ?? new Redis(redisUrl, { maxRetriesPerRequest: 20 });
  const prefix = `bench:${randomUUID().slice(0, 8)}:`;
  const store = await createEventStore({ redis, prefix, partitions: PARTITIONS });
  const close = async () => {
    await deleteKeysByPrefix(redis, prefix);
    if (cluster === undefined) redis.disconnect();
  };
  return { store, close };
};

const logEnds = async (store: EventStore) => {
  const ends: string[] = [];
  for (let partition = 0; partition < store.partitions; partition += 1) {
    const last = await store.lastEntryId(partition);
    if (last) ends.push(`${partition}:${last}`);
  }
  return ends;
};

/** Postgres takes at most 65535 parameters per statement. */
const chunks = <T>(rows: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(rows.length / size) }, (_, index) => rows.slice(index * size, (index + 1) * size));

/** The raw baseline: a multi-row INSERT ... ON CONFLICT DO UPDATE of every column but the key. */
const upsert = async (db: Database, table: string, key: readonly string[], rows: readonly Record<string, unknown>[]) => {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first).filter((column) => !key.includes(column));
  for (const part of chunks(rows, Math.floor(60_000 / Object.keys(first).length))) {
    // Rows are built from the table's own row type; the table and its columns are only known here at run time.
    await db.insertInto(table as "claude_code_sessions").values(part as never)
      .onConflict((conflict) => conflict.columns(key as never).doUpdateSet(Object.fromEntries(columns.map((column) => [column, sql.ref(`excluded.${column}`)])) as never))
      .execute();
  }
};

const TABLES = [["claude_code_sessions", ["id"]], ["session_prompts", ["session_id", "prompt_id"]], ["session_messages", ["id"]], ["event_archive", ["partition", "entry_ms", "entry_seq"]]] as const;

/** The rows the projections produced, inserted again with the same multi-row upsert into empty copies. */
const rawInsert = async (db: Database) => {
  const copies: [string, readonly string[], Record<string, unknown>[]][] = [];
  for (const [table, key] of TABLES) {
    const rows = (await sql.raw<Record<string, unknown>>(`select * from ${table}`).execute(db)).rows;
    const jsonColumns = ["metadata", "usage", "content", "data", "meta"];
    copies.push([table, key, rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonColumns.includes(k) && v !== null ? JSON.stringify(v) : v])))]);
    await sql.raw(`create table raw_${table} (like ${table} including all)`).execute(db);
  }
  const rows = copies.reduce((sum, [, , list]) => sum + list.length, 0);
  const seconds = await timed(async () => {
    for (const [table, key, list] of copies) {
      for (let index = 0; index < list.length; index += 500) {
        await db.transaction().execute((trx) => upsert(trx, `raw_${table}`, key, list.slice(index, index + 500)));
      }
    }
  });
  return { rows, seconds };
};

const projectionRun = async (count: number, batchSize = Number(process.env.BENCH_BATCH ?? 1000), cluster?: RedisClient): Promise<Row[]> => {
  const { store, close } = await openBenchStore(cluster);
  const on = cluster === undefined ? "" : "cluster: ";
  const database = await openBenchDb();
  try {
    const events = await fill(store, count);
    const projector = createProjector({ store, db: database.db, projections: allProjections, logger, batchSize, blockMs: 200 });
    const wait = createPositionWaiter({ db: database.db, projections: projector.projections, projector, pollMs: 50 });
    const ends = await logEnds(store);
    const seconds = await timed(async () => {
      await projector.start();
      for (const position of ends) if (!(await wait(position, 600_000))) throw new Error("projector did not catch up");
    });
    await projector.stop();
    const raw = await rawInsert(database.db);
    const rate = events / seconds;
    const rawRate = events / raw.seconds;
    return [
      { case: `${on}raw batched INSERT ... ON CONFLICT of the same rows (500/stmt)`, events, rows: raw.rows, seconds: round(raw.seconds), "events/s": Math.round(rawRate),
        target: "baseline" },
      { case: `${on}projector: sessions + archive, ${events} events from the logs`, events, rows: raw.rows, seconds: round(seconds), "events/s": Math.round(rate), target: `${Math.round((rate / rawRate) * 100)}% of raw (>= 50% ${rate >= rawRate / 2 ? "ok" : "MISSED"})` },
    ];
  } finally {
    await database.close();
    await close();
  }
};

const replayRun = async (count: number, limitSeconds: number | null, projections = [sessionsProjection, archiveProjection]): Promise<Row[]> => {
  const { store, close } = await openBenchStore();
  const database = await openBenchDb();
  try {
    const events = await fill(store, count);
    const rows: Row[] = [];
    for (const projection of projections) {
      const outcome = await replayProjection({ db: database.db, store, projection, source: "redis", dryRun: false, logger, concurrency: 2 });
      const ok = limitSeconds === null ? "-" : outcome.seconds < limitSeconds ? `< ${limitSeconds}s ok` : `< ${limitSeconds}s MISSED`;
      rows.push({ case: `replay ${projection.name} from redis, ${events} events`, events, rows: outcome.tables.reduce((sum, t) => sum + t.rebuilt, 0),
        seconds: round(outcome.seconds), "events/s": Math.round(events / outcome.seconds), target: ok });
    }
    return rows;
  } finally {
    await database.close();
    await close();
  }
};

/** The projector on a three-master Redis Cluster started for the run: each partition log read on its own. */
const clusterProjectionRun = async (count: number): Promise<Row[]> => {
  const cluster = await startRedisCluster();
  const redis = openCluster(cluster.nodes, logger);
  try {
    return await projectionRun(count, Number(process.env.BENCH_BATCH ?? 1000), redis);
  } finally {
    redis.disconnect();
    await cluster.close();
  }
};

export async function benchProjections(): Promise<Array<Record<string, string | number>>> {
  const size = Number(process.env.BENCH_REPLAY_EVENTS ?? 1_000_000);
  // At 1M only the sessions projection is timed: the bench must stay within a few minutes.
  return [
    ...(await projectionRun(100_000)), ...(await clusterProjectionRun(100_000)),
    ...(await replayRun(100_000, null)), ...(await replayRun(size, 120, [sessionsProjection])),
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const which = process.argv[2];
  if (which === "projector") console.table(await projectionRun(Number(process.argv[3] ?? 100_000)));
  else if (which === "cluster") console.table([...(await projectionRun(Number(process.argv[3] ?? 100_000))), ...(await clusterProjectionRun(Number(process.argv[3] ?? 100_000)))]);
  else if (which === "replay") console.table(await replayRun(Number(process.argv[3] ?? 100_000), 120, [sessionsProjection]));
  else console.table(await benchProjections());
}
