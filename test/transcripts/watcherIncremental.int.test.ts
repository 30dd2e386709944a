import { appendFile, mkdir, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/transcripts/scanner.ts";
import { createTranscriptService, type TranscriptService } from "../../src/transcripts/transcriptService.ts";
import { createTranscriptWatcher, type TranscriptWatcher } from "../../src/transcripts/watcher.ts";
import { captureLogs } from "../support/logs.ts";
import { createTranscriptDb } from "./transcriptTestDb.ts";

/**
 * The watcher as the projector role runs it, over a real folder and real Postgres: a write to
 * one transcript is indexed by a scan of that file alone, not of the whole folder, and shows in
 * the next read. The periodic full scan is pushed out of the way so every scan seen here was
 * caused by a file event.
 */
const FILES = 30;
const sessionId = (i: number) => `11111111-2222-4333-8444-${String(i).padStart(12, "0")}`;
let uuidSeq = 0;
const line = (sid: string, parentUuid: string | null) => {
  const uuid = `u-${uuidSeq++}`;
  const text = JSON.stringify({ type: "user", uuid, parentUuid, sessionId: sid, cwd: "/w", timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, uuidSeq)).toISOString(), message: { role: "user", content: `line ${uuid}` } }) + "\n";
  return { uuid, text };
};

describe("transcript watcher, file by file", () => {
  let home: string;
  let project: string;
  let database: Awaited<ReturnType<typeof createTranscriptDb>>;
  let service: TranscriptService;
  let watcher: TranscriptWatcher;
  const logs = captureLogs("debug");
  const updates = () => logs.lines.filter((entry) => entry["msg"] === "transcript index updated") as Array<{ report: ScanReport; paths: string[] | "all" }>;
  const path = (i: number) => join(project, `${sessionId(i)}.jsonl`);

  /** Waits (bounded) for a scan that named `rel`, and returns its report. */
  const scanOf = async (rel: string): Promise<ScanReport> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = updates().find((entry) => Array.isArray(entry.paths) && entry.paths.includes(rel));
      if (found !== undefined) return found.report;
      if (Date.now() > deadline) throw new Error(`no scan of ${rel}; updates: ${JSON.stringify(updates())}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "ccm-watchinc-"));
    project = join(home, "projects", "-w");
    await mkdir(project, { recursive: true });
    for (let i = 0; i < FILES; i++) await writeFile(path(i), line(sessionId(i), null).text);
    database = await createTranscriptDb();
    service = createTranscriptService({ db: database.db, claudeConfigDir: home, logger: logs.logger });
    watcher = createTranscriptWatcher({ scanner: service, claudeConfigDir: home, logger: logs.logger, intervalMs: 600_000 });
    await watcher.start();
    expect(updates()).toMatchObject([{ paths: "all", report: { files: FILES, filesRead: FILES } }]);
  });
  afterAll(async () => {
    await watcher?.stop();
    await database?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("reads only the file that was appended to, and the line shows in the next page", async () => {
    const appended = line(sessionId(7), null);
    const before = updates().length;
    await appendFile(path(7), appended.text);
    const report = await scanOf(`-w/${sessionId(7)}.jsonl`);
    expect(report).toMatchObject({ files: 1, filesRead: 1, bytesRead: Buffer.byteLength(appended.text), removed: 0 });
    expect(updates().slice(before).every((entry) => entry.paths !== "all")).toBe(true);
    const page = await service.getMessages(sessionId(7), { limit: 1, thread: "main" });
    expect(page.messages.map((m) => m.uuid)).toEqual([appended.uuid]);
  });

  it("indexes a new transcript and forgets a deleted one, each by a scan of that file", async () => {
    const added = sessionId(FILES);
    await writeFile(path(FILES), line(added, null).text);
    expect(await scanOf(`-w/${added}.jsonl`)).toMatchObject({ files: 1, filesRead: 1 });
    expect((await service.getSession(added)).messageCount).toBe(1);
    await unlink(path(3));
    const deadline = Date.now() + 5000;
    while (!updates().some((entry) => Array.isArray(entry.paths) && entry.paths.includes(`-w/${sessionId(3)}.jsonl`) && entry.report.removed === 1)) {
      if (Date.now() > deadline) throw new Error("the deleted transcript was never forgotten");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect(service.getSession(sessionId(3))).rejects.toMatchObject({ code: "history_session_not_found" });
    expect((await service.listSessions({ limit: 100, offset: 0 })).total).toBe(FILES);
  });
});
