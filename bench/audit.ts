import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { verifyChain, type Envelope } from "../events/envelope.ts";
import { decodeEvent, type DomainEvent } from "../events/registry.ts";
import { archiveProjection } from "../projections/archive.ts";
import { exportChunks, type ExportFormat } from "../src/audit/export.ts";
import { verifyAll } from "../src/audit/verify.ts";
import { createEventStore, type EventStore } from "../src/eventStore/eventStore.ts";
import type { Database } from "../src/infra/database.ts";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import { appendSessions, openBenchSchema, sessionCreated } from "./fixtures.ts";
import { round, timed, type Row } from "./stats.ts";

/**
 * Audit throughput over >= 100k events in a real Redis prefix and Postgres schema: `verify
 * --all` (both hash chains and the Redis/archive comparison), beside the bare hashing of the
 * same events in memory; and the streamed export (NDJSON, CSV) of the whole archive, in MB/s.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const PARTITIONS = 8;
const TURNS = 11;

const frame = (jobId: string, seq: number, text: string): DomainEvent => ({
  type: "RunnerEventEmitted",
  data: { jobId, seq, kind: "assistant", message: { type: "assistant", message: { id: `m-${jobId}-${seq}`, role: "assistant", content: [{ type: "text", text }] } } },
});

/** One prompt as the runner records it: 9 events. */
const turn = (n: number): DomainEvent[] => {
  const jobId = `job-${n}`;
  const promptId = `prompt-${n}`;
  return [
    { type: "PromptEnqueued", data: { promptId, messageId: `msg-${n}`, prompt: `Please look at file ${n} and fix the failing test`, projectPath: "/repos/app" } },
    { type: "JobStarted", data: { jobId, promptId, runnerId: "bench", leaseMs: 30_000 } },
    ...Array.from({ length: 6 }, (_, seq) => frame(jobId, seq, `Step ${seq}: reading src/file${n}.ts and running the tests. `.repeat(3))),
    { type: "JobCompleted", data: { jobId, promptId, resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.0123, numTurns: 3, durationMs: 4200 } },
  ] as DomainEvent[];
};

/** Sessions of 100 events (created + 11 prompts), 32 writers in parallel, one append per prompt. */
const fill = (store: EventStore, count: number) =>
  appendSessions(store, Math.ceil(count / (1 + TURNS * 9)), (index) =>
    Array.from({ length: TURNS }, (_, k) => (k === 0 ? [sessionCreated, ...turn(index * TURNS)] : turn(index * TURNS + k))));

/** Archives every partition log in big batches, as the archive projector would. */
const archiveAll = async (store: EventStore, db: Database) => {
  for (let partition = 0; partition < store.partitions; partition += 1) {
    let start = "-";
    for (let page = await store.readPartition(partition, start, "+", 5000); page.length > 0; page = await store.readPartition(partition, start, "+", 5000)) {
      await db.transaction().execute((trx) => archiveProjection.handle(page.map((stored) => ({ ...stored, event: decodeEvent(stored.envelope) })), trx));
      start = `(${page.at(-1)?.entryId ?? ""}`;
    }
  }
};

const open = async () => {
  const database = await openBenchSchema();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 20 });
  const prefix = `bench:${randomUUID().slice(0, 8)}:`;
  const store = await createEventStore({ redis, prefix, partitions: PARTITIONS });
  const close = async () => {
    await database.close();
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
  };
  return { db: database.db, store, close };
};

/** Bare hashing: every session's chain verified in memory, no I/O. The ceiling for `verify`. */
const hashOnly = async (store: EventStore, db: Database) => {
  const rows = (await db.selectFrom("event_archive").select("session_id").distinct().execute()) as { session_id: string }[];
  const histories: [string, readonly Envelope[]][] = [];
  for (const { session_id: id } of rows) histories.push([id, (await store.readSession(id)).events]);
  let events = 0;
  const seconds = await timed(async () => {
    for (const [id, envelopes] of histories) {
      if (!verifyChain(id, envelopes).ok) throw new Error(`chain of ${id} does not verify`);
      events += envelopes.length;
    }
  });
  return { events, seconds };
};

const exportRun = async (db: Database, format: ExportFormat): Promise<Row> => {
  let bytes = 0;
  let lines = 0;
  const seconds = await timed(async () => {
    for await (const chunk of exportChunks(db, {}, format)) {
      bytes += Buffer.byteLength(chunk);
      for (let at = chunk.indexOf("\n"); at !== -1; at = chunk.indexOf("\n", at + 1)) lines += 1;
    }
  });
  const events = format === "csv" ? lines - 1 : lines;
  const mb = bytes / 1e6;
  return { case: `export whole archive as ${format} (streamed, 2000-row pages)`, events, seconds: round(seconds), "events/s": Math.round(events / seconds), "MB/s": round(mb / seconds, 1), MB: round(mb, 1) };
};

export async function benchAudit(): Promise<Array<Record<string, string | number>>> {
  const count = Number(process.env.BENCH_AUDIT_EVENTS ?? 100_000);
  const { db, store, close } = await open();
  try {
    const events = await fill(store, count);
    await archiveAll(store, db);
    const bare = await hashOnly(store, db);
    let verified = 0;
    const seconds = await timed(async () => {
      const result = await verifyAll({ store, db }, { concurrency: 8 });
      if (result.failures.length > 0) throw new Error(`${result.failures.length} sessions failed to verify`);
      verified = result.events;
    });
    return [
      { case: `baseline: verifyChain in memory (hashing only), ${bare.events} events`, events: bare.events, seconds: round(bare.seconds), "events/s": Math.round(bare.events / bare.seconds), "MB/s": "-", MB: "-" },
      { case: `verify --all: Redis + archive chains + comparison, ${events} events`, events: verified, seconds: round(seconds), "events/s": Math.round(verified / seconds), "MB/s": "-", MB: "-" },
      await exportRun(db, "ndjson"),
      await exportRun(db, "csv"),
    ];
  } finally {
    await close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await benchAudit());
}
