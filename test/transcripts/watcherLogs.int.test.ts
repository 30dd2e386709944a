import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { down, up } from "../../migrations/0005_history_index.ts";
import { up as upGenerations } from "../../migrations/0011_transcript_index_generations.ts";
import { createTranscriptScanner, type TranscriptScanner } from "../../src/transcripts/scanner.ts";
import { createTranscriptWatcher, type TranscriptWatcher } from "../../src/transcripts/watcher.ts";
import { captureLogs } from "../support/logs.ts";
import { createTranscriptDb } from "./transcriptTestDb.ts";

/**
 * The watcher scans every `intervalMs`; a failure that lasts (the index tables gone, the projects
 * folder missing) used to be logged on every tick. Real scanner, real Postgres, real folder.
 */
const INTERVAL_MS = 15;

describe("transcript watcher failing again and again", () => {
  let home: string;
  let database: Awaited<ReturnType<typeof createTranscriptDb>>;
  let watcher: TranscriptWatcher | undefined;
  let scans = 0;
  const logs = captureLogs();
  const logged = (msg: string) => logs.lines.filter((entry) => entry["msg"] === msg).length;

  /** Waits (bounded) until `done()` holds, calling `poke` between looks. */
  const until = async (what: string, done: () => boolean, poke: () => Promise<void> = async () => {}): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await poke();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  // In one transaction each, so a scan never sees half the tables (a different failure).
  const dropIndex = () => database.db.transaction().execute((trx) => down(trx));
  const createIndex = () => database.db.transaction().execute(async (trx) => {
    await up(trx);
    await upGenerations(trx);
  });
  const afterScans = (count: number) => {
    const target = scans + count;
    return until(`${count} more scans`, () => scans >= target);
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "ccm-watchlog-"));
    database = await createTranscriptDb();
    const real = createTranscriptScanner({ db: database.db, claudeConfigDir: home, logger: logs.logger });
    // Counting scans only: every scan is the real one.
    const scanner: TranscriptScanner = { scan: (options) => ((scans++), real.scan(options)) };
    await dropIndex();
    watcher = createTranscriptWatcher({ scanner, claudeConfigDir: home, logger: logs.logger, debounceMs: 5, intervalMs: INTERVAL_MS });
    await watcher.start();
  });
  afterAll(async () => {
    await watcher?.stop();
    await database?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("logs a scan failure once while it lasts, its end once, and a new failure again", async () => {
    await afterScans(8);
    expect(logged("transcript scan failed")).toBe(1);
    await createIndex();
    await until("the recovery log", () => logged("transcript scan works again") === 1);
    await afterScans(8);
    expect([logged("transcript scan failed"), logged("transcript scan works again")]).toEqual([1, 1]);
    await dropIndex();
    await until("the failure logged again", () => logged("transcript scan failed") >= 2);
    const failures = logged("transcript scan failed");
    await afterScans(8);
    expect(logged("transcript scan failed")).toBe(failures);
    await createIndex();
  });

  it("logs an unwatchable folder once, and once more when it is watched again", async () => {
    await afterScans(8); // every tick tries to watch the missing projects folder again
    expect(logged("transcript folder not watchable; polling only")).toBe(1);
    await mkdir(join(home, "projects", "-w"), { recursive: true });
    // The next tick sets the watch up; the first event it delivers proves it works.
    let writes = 0;
    const write = () => writeFile(join(home, "projects", "-w", "s.jsonl"), `{"n":${writes++}}\n`);
    await until("the watch recovery log", () => logged("transcript folder watched again") === 1, write);
    await afterScans(8);
    expect([logged("transcript folder not watchable; polling only"), logged("transcript folder watched again")]).toEqual([1, 1]);
  });
});
