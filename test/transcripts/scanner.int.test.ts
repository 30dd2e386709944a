import { appendFile, mkdir, rename, stat, truncate, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTranscriptScanner } from "../../src/transcripts/scanner.ts";
import type { TranscriptService } from "../../src/transcripts/transcriptService.ts";
import { createTestApp, type TestApp } from "../http/support.ts";

const SID = "11111111-2222-4333-8444-555555555555";
const CWD = "/home/dev/app";

let n = 0;
const line = (fields: Record<string, unknown>) => JSON.stringify({ sessionId: SID, cwd: CWD, version: "2.1.331", gitBranch: "main", timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n++)).toISOString(), ...fields }) + "\n";
const user = (uuid: string, parentUuid: string | null, text: string) => line({ type: "user", uuid, parentUuid, message: { role: "user", content: text } });
const assistant = (uuid: string, parentUuid: string, text: string) =>
  line({ type: "assistant", uuid, parentUuid, message: { id: `msg_${uuid}`, role: "assistant", content: [{ type: "text", text }] } });

describe("transcript index: incremental scan, pages by byte offset, routes", () => {
  let t: TestApp;
  let home: string;
  let file: string;
  let service: TranscriptService;
  const get = (url: string) => t.app.inject({ method: "GET", url, headers: t.auth });

  beforeAll(async () => {
    // The api role alone, as `ccm start --role api`: no watcher scans behind the test's back.
    t = await createTestApp({}, { roles: ["api"] });
    if (t.history === undefined) throw new Error("no transcript service");
    service = t.history;
    home = t.config.CLAUDE_CONFIG_DIR;
    await mkdir(join(home, "projects", "-home-dev-app"), { recursive: true });
    file = join(home, "projects", "-home-dev-app", `${SID}.jsonl`);
    let text = line({ type: "ai-title", aiTitle: "Fixing the build" }) + user("u1", null, "first question") + assistant("a1", "u1", "first answer");
    // An abandoned branch: the prompt was edited and resent.
    text += user("u2-old", "a1", "draft") + assistant("a2-old", "u2-old", "old answer");
    text += user("u2", "a1", "second question") + assistant("a2", "u2", "second answer");
    await writeFile(file, text);
  });
  afterAll(async () => t?.close());

  it("indexes the session facts from its lines", async () => {
    const report = await service.scan();
    expect(report).toMatchObject({ files: 1, filesRead: 1, invalid: 0 });
    const meta = await service.getSession(SID);
    expect(meta).toMatchObject({ claudeSessionId: SID, projectPath: CWD, title: "Fixing the build", firstPrompt: "first question", messageCount: 6, cliVersion: "2.1.331", gitBranch: "main" });
    const res = await get("/api/claude-code/history/projects");
    expect(res.json()).toEqual({ projects: [{ projectPath: CWD, sessionCount: 1, lastTimestamp: expect.any(String) }] });
  });

  it("does not open unchanged files, and reads only the appended bytes of a grown one", async () => {
    expect((await service.scan()).filesRead).toBe(0);
    const before = (await stat(file)).size;
    const added = user("u3", "a2", "third question") + assistant("a3", "u3", "third answer");
    await appendFile(file, added);
    const report = await service.scan();
    expect(report).toMatchObject({ filesRead: 1, bytesRead: Buffer.byteLength(added) });
    expect((await stat(file)).size).toBe(before + Buffer.byteLength(added));
    expect((await service.getSession(SID)).messageCount).toBe(8);
  });

  it("leaves a partially written last line for the next scan", async () => {
    const next = user("u4", "a3", "fourth question");
    await appendFile(file, next.slice(0, 20));
    await service.scan();
    expect((await service.getSession(SID)).messageCount).toBe(8);
    await appendFile(file, next.slice(20));
    await service.scan();
    expect((await service.getSession(SID)).messageCount).toBe(9);
  });

  it("pages the main thread newest first without the abandoned branch", async () => {
    const first = await get(`/api/claude-code/history/sessions/${SID}/messages?limit=3`);
    expect(first.statusCode).toBe(200);
    const page = first.json() as { messages: Array<{ uuid: string; text: string; content: unknown[] }>; hasMore: boolean; nextBefore: number };
    expect(page.messages.map((m) => m.uuid)).toEqual(["u3", "a3", "u4"]);
    expect(page.messages[2]).toMatchObject({ type: "user", text: "fourth question", content: [{ type: "text", text: "fourth question" }] });
    expect(page.hasMore).toBe(true);
    const second = (await get(`/api/claude-code/history/sessions/${SID}/messages?limit=10&before=${page.nextBefore}`)).json();
    expect(second.messages.map((m: { uuid: string }) => m.uuid)).toEqual(["u1", "a1", "u2", "a2"]);
    expect(second.hasMore).toBe(false);
    const all = (await get(`/api/claude-code/history/sessions/${SID}/messages?thread=all&limit=100`)).json();
    expect(all.messages.map((m: { uuid: string }) => m.uuid)).toContain("u2-old");
  });

  it("answers problems with stable codes for unknown and malformed ids", async () => {
    const missing = await get("/api/claude-code/history/sessions/00000000-0000-4000-8000-000000000000");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("history_session_not_found");
    for (const bad of ["..%2F..%2Fetc%2Fpasswd", "a%00b", "x".repeat(300), "a.b"]) {
      const res = await get(`/api/claude-code/history/sessions/${bad}/messages`);
      expect([bad, res.statusCode, res.json().code]).toEqual([bad, 400, "validation_failed"]);
    }
    // A literal `..` segment is normalised away by the URL parser: it never reaches a file.
    const dots = await get("/api/claude-code/history/sessions/../messages");
    expect(dots.statusCode).toBe(404);
  });

  it("titles a session from a summary written into another file (1.0.x resume)", async () => {
    const other = join(home, "projects", "-home-dev-app", "33333333-2222-4333-8444-555555555555.jsonl");
    await writeFile(other, JSON.stringify({ type: "summary", summary: "Build fixed", leafUuid: "a3" }) + "\n");
    await service.scan();
    expect((await service.getSession(SID)).summary).toBe("Build fixed");
    expect((await service.getSession(SID)).title).toBe("Fixing the build"); // an ai-title still wins
    await unlink(other);
  });

  it("reindexes a file that was truncated or replaced, pages it afresh, and forgets a deleted one", async () => {
    const thread = async () => (await service.getMessages(SID, { limit: 50, thread: "main" })).messages.map((m) => m.uuid);
    await truncate(file, 0);
    await writeFile(file, user("z1", null, "fresh start"));
    await service.scan();
    expect((await service.getSession(SID)).messageCount).toBe(1);
    expect(await thread()).toEqual(["z1"]);
    // Replaced by a longer file (a new inode): line numbers restart, the read cache must too.
    const replaced = Array.from({ length: 12 }, (_, i) => user(`r${i}`, i === 0 ? null : `r${i - 1}`, `line ${i}`)).join("");
    await writeFile(`${file}.new`, replaced);
    await rename(`${file}.new`, file);
    await service.scan();
    expect(await thread()).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`));
    await unlink(file);
    expect((await service.scan()).removed).toBe(1);
    const res = await get(`/api/claude-code/history/sessions?limit=5`);
    expect(res.json()).toEqual({ sessions: [], total: 0 });
  });

  it("keeps a line over the limit as a truncated entry that still links the thread", async () => {
    const big = assistant("big", "q1", "x".repeat(200_000));
    const other = join(home, "projects", "-home-dev-app", "22222222-2222-4333-8444-555555555555.jsonl");
    const text = (user("q1", null, "make it big") + big + user("q2", "big", "thanks")).replaceAll(SID, "22222222-2222-4333-8444-555555555555");
    await writeFile(other, text);
    await createTranscriptScanner({ db: t.db, claudeConfigDir: home, logger: pino({ level: "silent" }), maxLineBytes: 64 * 1024 }).scan();
    const page = await service.getMessages("22222222-2222-4333-8444-555555555555", { limit: 10, thread: "main" });
    expect(page.messages.map((m) => [m.uuid, m.truncated])).toEqual([["q1", false], ["big", true], ["q2", false]]);
    expect((await service.getSession("22222222-2222-4333-8444-555555555555")).truncatedLines).toBe(1);
  });
});
