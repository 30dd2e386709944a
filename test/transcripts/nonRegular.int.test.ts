import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHistory } from "../../src/cli/history.ts";
import { createTranscriptService, type TranscriptService } from "../../src/transcripts/transcriptService.ts";
import { makeFifo, releaseFifo, within } from "../support/fifo.ts";
import { captureLogs } from "../support/logs.ts";
import { createTranscriptDb } from "./transcriptTestDb.ts";

/**
 * FIFOs, a socket and a folder named like transcripts, a FIFO as an agent's meta file and a
 * symlink to a FIFO: the scanner opens none of them, skips them, and says so once.
 */
const S1 = "11111111-2222-4333-8444-000000000001";
const S2 = "11111111-2222-4333-8444-000000000002";
const line = (sessionId: string, uuid: string) =>
  JSON.stringify({ type: "user", uuid, parentUuid: null, sessionId, cwd: "/w", timestamp: "2026-01-01T00:00:00.000Z", message: { role: "user", content: "hi" } }) + "\n";

describe("non-regular files in the Claude folder", () => {
  let home: string;
  let project: string;
  let database: Awaited<ReturnType<typeof createTranscriptDb>>;
  let service: TranscriptService;
  let socket: Server | undefined;
  const logs = captureLogs();
  const fifos: string[] = [];
  const fifo = (path: string) => {
    makeFifo(path);
    fifos.push(path);
  };
  const skipLogs = () => logs.lines.filter((entry) => entry["msg"] === "transcript file skipped");
  const scan = () => within(5000, "a scan", service.scan());

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "ccm-nonreg-"));
    project = join(home, "projects", "-w");
    const subagents = join(project, S1, "subagents");
    await mkdir(subagents, { recursive: true });
    await writeFile(join(project, `${S1}.jsonl`), line(S1, "u1"));
    await writeFile(join(project, `${S2}.jsonl`), line(S2, "u2"));
    await writeFile(join(subagents, "agent-a1.jsonl"), line(S1, "a1"));
    fifo(join(subagents, "agent-a1.meta.json"));
    fifo(join(subagents, "agent-f1.jsonl"));
    fifo(join(project, "pipe.jsonl"));
    fifo(join(project, "named-pipe"));
    await symlink(join(project, "named-pipe"), join(subagents, "agent-l1.jsonl"));
    await mkdir(join(project, "folder.jsonl"));
    const server = createServer();
    socket = server;
    await new Promise<void>((resolve) => server.listen(join(project, "sock.jsonl"), resolve));
    database = await createTranscriptDb();
    service = createTranscriptService({ db: database.db, claudeConfigDir: home, logger: logs.logger });
  });
  afterAll(async () => {
    for (const path of fifos) releaseFifo(path);
    socket?.close();
    await database?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("indexes the transcripts and skips the FIFOs and the socket without opening them", async () => {
    const report = await scan();
    expect(report).toMatchObject({ files: 3, filesRead: 3, skipped: 4 });
    expect(skipLogs().map((entry) => [entry["path"], entry["reason"]]).sort()).toEqual([
      [join(project, "pipe.jsonl"), "not_regular"],
      [join(project, "named-pipe"), "not_regular"], // the target of agent-l1.jsonl, a symlink that stays inside
      [join(project, "sock.jsonl"), "not_regular"],
      [join(project, S1, "subagents", "agent-f1.jsonl"), "not_regular"],
    ].sort());
    const detail = await service.getSession(S1);
    expect(detail.subagents).toEqual([{ agentId: "a1", toolUseId: null, messageCount: 1 }]);
  });

  it("logs a skipped entry once, not on every scan, and again when it comes back", async () => {
    for (let i = 0; i < 3; i++) expect((await scan()).skipped).toBe(4);
    expect(skipLogs()).toHaveLength(4);
    await unlink(join(project, "sock.jsonl"));
    expect((await scan()).skipped).toBe(3);
    await writeFile(join(project, "sock.jsonl"), "");
    await scan();
    await unlink(join(project, "sock.jsonl"));
    fifo(join(project, "sock.jsonl"));
    await scan();
    expect(skipLogs()).toHaveLength(5);
  });

  it("answers an indexed transcript that became a FIFO at once, in the routes' reads and in `ccm history show`", async () => {
    const path = join(project, `${S2}.jsonl`);
    await unlink(path);
    fifo(path);
    await expect(within(1000, "messages", service.getMessages(S2, { limit: 10, thread: "main" }))).rejects.toMatchObject({ code: "history_file_not_regular", statusCode: 410 });
    let text = "";
    const stderr = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
    const code = await within(1000, "ccm history show", runHistory(["show", S2], { db: database.db, claudeConfigDir: home, logger: logs.logger, stderr }));
    expect([code, text]).toEqual([1, expect.stringContaining("is a FIFO, not a regular file")]);
  });
});
