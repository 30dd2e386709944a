import { cpSync } from "node:fs";
import { mkdir, unlink } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFifo, releaseFifo, within } from "../support/fifo.ts";
import { createTestApp, PROBLEM_TYPE, type TestApp } from "./support.ts";

/**
 * An attacker who can write in CLAUDE_CONFIG_DIR replaces an indexed transcript by a FIFO: a
 * read that opened it blocking would hold one of libuv's four threadpool threads for ever, and
 * five such reads would stall everything else that needs the pool (realpath of a new session).
 * The api role runs alone here, as `ccm start --role api` does: nothing rescans, so the index
 * keeps pointing at the replaced file.
 */
const fixtures = join(import.meta.dirname, "../../../shared/fixtures/claude-code/generated/cli-2.1.331/projects");
const fifoSession = "d46c78b5-542d-408f-9326-a192e7bdae56";
const socketSession = "aed60d31-0d88-441f-800e-2e88de3b0722";
const folderSession = "7c9f1048-72a5-4870-93b0-16d2775001f2";
const BOUND_MS = 1000;

let t: TestApp;
let socket: Server | undefined;
const transcript = (id: string) => join(t.config.CLAUDE_CONFIG_DIR, "projects", "-home-u-src-work-a", `${id}.jsonl`);
const get = (url: string) => t.app.inject({ method: "GET", url, headers: t.auth });
const historyUrls = (id: string) => [`/api/claude-code/history/sessions/${id}`, `/api/claude-code/history/sessions/${id}/messages?limit=5`];

beforeAll(async () => {
  t = await createTestApp({}, { roles: ["api"] });
  cpSync(fixtures, join(t.config.CLAUDE_CONFIG_DIR, "projects"), { recursive: true });
  await t.history?.scan();
});
afterAll(async () => {
  if (t !== undefined) releaseFifo(transcript(fifoSession));
  socket?.close();
  await t?.close();
});

const expectGone = async (url: string) => {
  const response = await within(BOUND_MS, `GET ${url}`, get(url));
  expect([url, response.statusCode, response.headers["content-type"], response.json().code]).toEqual([url, 410, PROBLEM_TYPE, "history_file_not_regular"]);
};

describe("a transcript replaced by a non-regular file", () => {
  it("answers 410 at once, however often it is asked, while the rest of the api keeps answering", async () => {
    for (const url of historyUrls(fifoSession)) expect((await get(url)).statusCode).toBe(200);
    await unlink(transcript(fifoSession));
    makeFifo(transcript(fifoSession));
    // Twelve reads at once: three times the threadpool a blocking open would have exhausted.
    const started = performance.now();
    const reads = Array.from({ length: 6 }, () => historyUrls(fifoSession)).flat();
    await Promise.all(reads.map(expectGone));
    await Promise.all(reads.map(expectGone));
    expect(performance.now() - started).toBeLessThan(2 * BOUND_MS);
    const health = await within(BOUND_MS, "GET /health", t.app.inject({ method: "GET", url: "/health" }));
    expect(health.statusCode).toBe(200);
    const created = await within(BOUND_MS, "POST /api/claude-code/sessions", t.app.inject({
      method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" },
    }));
    expect(created.statusCode).toBe(201);
    const other = await within(BOUND_MS, "another session's messages", get(historyUrls(folderSession)[1] as string));
    expect(other.statusCode).toBe(200);
  });

  it("answers 410 for a Unix socket or a folder in its place too", async () => {
    await unlink(transcript(socketSession));
    const server = createServer();
    socket = server;
    await new Promise<void>((resolve) => server.listen(transcript(socketSession), resolve));
    await unlink(transcript(folderSession));
    await mkdir(transcript(folderSession));
    for (const id of [socketSession, folderSession]) for (const url of historyUrls(id)) await expectGone(url);
  });

  it("is dropped from the index by the next scan, which does not block on it", async () => {
    const report = await within(5 * BOUND_MS, "a scan", t.history?.scan() ?? Promise.reject(new Error("no history service")));
    expect(report.skipped).toBe(2); // the FIFO and the socket; the folder is listed as a folder, never opened
    const gone = await within(BOUND_MS, "GET a dropped session", get(`/api/claude-code/history/sessions/${fifoSession}`));
    expect([gone.statusCode, gone.json().code]).toEqual([404, "history_session_not_found"]);
  });
});
