import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { mkdtemp, rm, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import pino from "pino";
import { withCurrentSchemaIntrospection } from "../src/infra/database.ts";
import { migrateToLatest } from "../src/infra/migrate.ts";
import { createTranscriptService, type TranscriptService } from "../src/transcripts/transcriptService.ts";
import { createTranscriptWatcher } from "../src/transcripts/watcher.ts";
import { appendedLine, appendedTurns, generateCorpus } from "./historyCorpus.ts";
import type { TranscriptDb } from "../src/transcripts/transcriptDb.ts";

/**
 * History index benchmark: a generated Claude folder of ≥ 1 GB across ≥ 2,000 session files
 * (five 50 MB files, one with a 20 MB single line), indexed into a Postgres schema of its own.
 * Measures the first full scan, a rescan after one file grew, listing, the first page of the
 * largest session, and peak RSS. The corpus is written just before the scan, so the first scan
 * reads from a warm page cache (as a machine that just wrote its history does).
 */
const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CORPUS = { sessions: 2000, totalBytes: 1100 * 1024 * 1024, bigFiles: 5, bigBytes: 50 * 1024 * 1024, hugeLineBytes: 20 * 1024 * 1024, mediumBytes: 2 * 1024 * 1024 };

const median = async (runs: number, work: () => Promise<unknown>): Promise<number> => {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
};

const ensureSpace = async (dir: string): Promise<void> => {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < 3 * 1024 ** 3) throw new Error(`bench/history needs 3 GB free in ${dir}, found ${(free / 1024 ** 3).toFixed(1)} GB`);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a phone polling the newest page sees: the time from appending one line to the session's
 * file until the messages read returns it, with the production watcher keeping the index current.
 */
const appendVisible = async (history: TranscriptService, claudeConfigDir: string, path: string, runs: number): Promise<number[]> => {
  const sessionId = basename(path, ".jsonl");
  const watcher = createTranscriptWatcher({ scanner: history, claudeConfigDir, logger: pino({ level: "warn" }) });
  await watcher.start();
  const times: number[] = [];
  try {
    let parent = (await history.getMessages(sessionId, { limit: 1, thread: "main" })).messages.at(-1)?.uuid ?? null;
    for (let i = 0; i < runs; i++) {
      await sleep(300); // let the previous append settle: every run starts from an idle watcher
      const line = appendedLine(sessionId, parent);
      const start = performance.now();
      appendFileSync(path, line.text);
      while ((await history.getMessages(sessionId, { limit: 1, thread: "main" })).messages.at(-1)?.uuid !== line.uuid) {
        if (performance.now() - start > 10_000) throw new Error("an appended line never became visible");
        await sleep(1);
      }
      times.push(performance.now() - start);
      parent = line.uuid;
    }
  } finally {
    await watcher.stop();
  }
  return times;
};

const row = (metric: string, value: number, unit: string, target: string, ok: boolean) => ({ metric, value: Number(value.toFixed(1)), unit, target, ok: ok ? "yes" : "NO" });

export async function benchHistory(): Promise<Array<Record<string, string | number>>> {
  await ensureSpace(tmpdir());
  const dir = await mkdtemp(join(tmpdir(), "ccm-bench-history-"));
  const schema = `hist_bench_${randomUUID().replaceAll("-", "").slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 6, options: `-c search_path=${schema}` });
  const db: TranscriptDb = new Kysely({ dialect: withCurrentSchemaIntrospection(new PostgresDialect({ pool })) });
  try {
    await migrateToLatest(db, pino({ level: "warn" }), schema);
    const genStart = performance.now();
    const corpus = generateCorpus(dir, CORPUS);
    const genMs = performance.now() - genStart;
    const history = createTranscriptService({ db, claudeConfigDir: dir, logger: pino({ level: "warn" }) });

    const scan = await history.scan();
    const mbps = scan.bytesRead / 1024 / 1024 / (scan.durationMs / 1000);

    const sessionId = basename(corpus.growable, ".jsonl");
    // Median of five appends: the first rescan also pays for Postgres settling after the bulk load.
    const rescans = [];
    for (let i = 0; i < 5; i++) {
      appendFileSync(corpus.growable, appendedTurns(sessionId, null));
      rescans.push(await history.scan());
    }
    process.stderr.write(`rescans ms: ${rescans.map((r) => r.durationMs.toFixed(1)).join(", ")}\n`);
    const rescan = [...rescans].sort((a, b) => a.durationMs - b.durationMs)[2] as (typeof rescans)[number];

    const listMs = await median(21, () => history.listSessions({ limit: 50, offset: 0 }));
    const projectListMs = await median(21, () => history.listSessions({ projectPath: "/home/bench/project-7", limit: 50, offset: 0 }));
    const pageMs = await median(11, () => history.getMessages(corpus.largest.sessionId, { limit: 50, thread: "main" }));
    const pageAllMs = await median(11, () => history.getMessages(corpus.largest.sessionId, { limit: 50, thread: "all" }));
    const whole = await history.getMessages(corpus.medium.sessionId, { limit: 500, thread: "main" });
    const wholeMs = await median(11, () => history.getMessages(corpus.medium.sessionId, { limit: 500, thread: "main" }));
    const visible = await appendVisible(history, dir, corpus.growable, 11);
    process.stderr.write(`append visible ms: ${visible.map((ms) => ms.toFixed(1)).join(", ")}\n`);
    const visibleMs = [...visible].sort((a, b) => a - b)[Math.floor(visible.length / 2)] as number;
    // The machine's own pace in this run: the millisecond targets assume an idle one.
    const roundTripMs = await median(21, () => sql`SELECT 1`.execute(db));
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM history_lines`.execute(db);

    return [
      { metric: "baseline: Postgres round trip (SELECT 1, median)", value: Number(roundTripMs.toFixed(2)), unit: "ms", target: "-", ok: "-" },
      { metric: "corpus", value: Number((corpus.bytes / 1024 ** 3).toFixed(2)), unit: "GB", target: `${corpus.files} files, ${rows[0]?.n ?? 0} message rows, generated in ${(genMs / 1000).toFixed(1)} s`, ok: corpus.bytes >= 1024 ** 3 && corpus.files >= 2000 ? "yes" : "NO" },
      row("first full scan", mbps, "MB/s", `>= 150 (${(scan.durationMs / 1000).toFixed(1)} s, ${scan.invalid} invalid)`, mbps >= 150),
      row("rescan after one file grew", rescan.durationMs, "ms", `< 50 (${rescan.filesRead} file, ${rescan.bytesRead} bytes read)`, rescan.durationMs < 50),
      row("list sessions (median)", listMs, "ms", "< 50", listMs < 50),
      row("list sessions of a project (median)", projectListMs, "ms", "<= 1", projectListMs <= 1),
      row("open a whole session (median)", wholeMs, "ms", `<= 25 (${(corpus.medium.bytes / 1024 ** 2).toFixed(1)} MB, ${whole.messages.length} messages${whole.hasMore ? ", more left" : ""})`, wholeMs <= 25 && !whole.hasMore),
      row("appended line visible (median, watcher)", visibleMs, "ms", "<= 10", visibleMs <= 10),
      row("first page, largest session, main thread", pageMs, "ms", `<= 10 (${(corpus.largest.bytes / 1024 ** 2).toFixed(0)} MB file)`, pageMs <= 10),
      row("first page, largest session, all lines", pageAllMs, "ms", "< 50", pageAllMs < 50),
      row("peak RSS (whole bench process)", rssMb, "MB", "< 300", rssMb < 300),
    ];
  } finally {
    await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(db).catch(() => undefined);
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchHistory());
