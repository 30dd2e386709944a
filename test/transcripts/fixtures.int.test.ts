import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHistory } from "../../src/cli/history.ts";
import { analyseSession } from "../../src/transcripts/analyseSession.ts";
import { listSessions } from "../../src/transcripts/transcriptQueries.ts";
import { parseTranscriptFile } from "../../src/transcripts/parseFile.ts";
import { buildFixtureHome, fixtureTranscriptFiles } from "./fixtureHome.ts";
import { createTranscriptDb } from "./transcriptTestDb.ts";

const logger = pino({ level: "silent" });

const capture = () => {
  let text = "";
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
};

type Show = {
  sessionId: string; cwd: string; lines: number; messages: number; invalid: number; unknown: number;
  duplicates: number; mainThread: string[]; turns: number; finalResponses: string[];
  subagents: Array<{ source: string; agentId?: string; toolUseId?: string; messages: number }>;
};

describe("every transcript file in the fixtures", async () => {
  const files = await fixtureTranscriptFiles();

  it("covers real files and both generated CLI versions", () => {
    expect(files.filter((f) => f.real).length).toBeGreaterThanOrEqual(14);
    expect(files.some((f) => f.path.includes("cli-2.1.331"))).toBe(true);
    expect(files.some((f) => f.path.includes("cli-2.0.77"))).toBe(true);
  });

  for (const file of files) {
    it(`reads ${file.path.split("/claude-code/")[1]} without crashing; main thread starts at a root, no sidechain`, async () => {
      const main = await parseTranscriptFile(file.path);
      if (file.real) expect(main.counts.invalid).toBe(0);
      expect(main.counts.partial).toBe(0);
      const analysis = analyseSession({ main, agents: [] });
      const thread = analysis.mainThread.map((uuid) => analysis.lines.get(uuid));
      const first = thread[0];
      if (first !== undefined) expect(first.env.parentUuid).toBeNull();
      for (const line of thread) expect(line?.env.isSidechain).toBe(false);
      expect(new Set(analysis.mainThread).size).toBe(analysis.mainThread.length);
    });
  }
});

describe("ccm history over a Claude folder of fixtures", () => {
  let home: Awaited<ReturnType<typeof buildFixtureHome>>;
  let database: Awaited<ReturnType<typeof createTranscriptDb>>;
  const show = async (id: string, ...flags: string[]): Promise<Show> => {
    const out = capture();
    const code = await runHistory(["show", id, "--json", ...flags], { db: database.db, claudeConfigDir: home.dir, logger, stdout: out.stream });
    expect(code).toBe(0);
    return JSON.parse(out.text()) as Show;
  };

  beforeAll(async () => {
    home = await buildFixtureHome();
    database = await createTranscriptDb();
    // A --fork-session copy: new id and file, uuids preserved, sessionId rewritten (formats §5.4).
    const source = join(home.dir, "projects/-home-u-src-work-a/d46c78b5-542d-408f-9326-a192e7bdae56.jsonl");
    const forked = (await readFile(source, "utf8")).replaceAll("d46c78b5-542d-408f-9326-a192e7bdae56", "f0f0f0f0-0000-4000-8000-000000000001");
    await writeFile(join(home.dir, "projects/-home-u-src-work-a/f0f0f0f0-0000-4000-8000-000000000001.jsonl"), forked);
    const out = capture();
    expect(await runHistory(["scan"], { db: database.db, claudeConfigDir: home.dir, logger, stdout: out.stream, stderr: capture().stream })).toBe(0);
    expect(out.text()).toMatch(/0 invalid/);
  });
  afterAll(async () => {
    await database?.close();
    await home?.cleanup();
  });

  it("lists every session with its cwd from the lines, not from the folder name", async () => {
    const { sessions, total } = await listSessions(database.db, { limit: 200, offset: 0 });
    expect(total).toBe(sessions.length);
    const odd = sessions.find((s) => s.claudeSessionId.startsWith("b609d689"));
    expect(odd?.projectPath).toBe("/home/u/src/My_Proj.v2 é");
    expect(odd?.cliVersion).toBe("2.1.331");
    expect(sessions.every((s) => s.projectPath !== null && s.messageCount > 0)).toBe(true);
    const out = capture();
    await runHistory(["ls", "--project", "/home/u/src/work-b"], { db: database.db, claudeConfigDir: home.dir, logger, stdout: out.stream });
    expect(out.text()).toContain("138bf1cb-cea7-48df-9d4d-6478c7102f53");
    expect(out.text()).not.toContain("d46c78b5");
  });

  it("show --json reports the resumed 2.1.331 session: two turns and their final responses", async () => {
    const result = await show("d46c78b5-542d-408f-9326-a192e7bdae56");
    expect(result).toMatchObject({ sessionId: "d46c78b5-542d-408f-9326-a192e7bdae56", cwd: "/home/u/src/work-a", invalid: 0, unknown: 0, turns: 2 });
    expect(result.finalResponses[0]).toMatch(/^The tool returned: File created/);
    expect(result.finalResponses[1]).toMatch(/^The tool returned: hello-from-/);
  });

  it("groups the 2.0.77 Task subagent file under its tool use, never in the main thread", async () => {
    const result = await show("138bf1cb-cea7-48df-9d4d-6478c7102f53");
    const task = result.subagents.find((s) => s.agentId === "a7a1ad0");
    expect(task).toMatchObject({ source: "file", toolUseId: expect.stringMatching(/^toolu_/), messages: 5 });
    expect(result.subagents.map((s) => s.agentId)).toEqual(["a7a1ad0"]); // its Warmup agents are none
    const agent = await parseTranscriptFile(join(home.dir, "projects/-home-u-src-work-b/agent-a7a1ad0.jsonl"));
    const agentUuids = agent.lines.flatMap(({ line }) => ("env" in line ? [line.env.uuid] : []));
    expect(result.mainThread.some((uuid) => agentUuids.includes(uuid))).toBe(false);
  });

  it("follows the 1.0.51 compactions: the main thread spans the whole conversation", async () => {
    const result = await show("400429ba-c1e1-4ef5-a7ec-fe40608df53b");
    expect(result.invalid).toBe(0);
    expect(result.mainThread).toContain("1f1ca2a8-8c25-4bc3-8baa-0acb78f989dc"); // first compact summary
    expect(result.mainThread).toContain("72fafffe-1224-46d5-8fc0-19cbf473fe43"); // second compact summary
    expect(result.mainThread.length).toBe(1164 - 233); // every non-sidechain line
    expect(result.subagents.filter((s) => s.source === "inline" && s.toolUseId !== undefined)).toHaveLength(7);
  });

  it("collapses --continue copies: the copied line keeps the old session id, the session is the new one", async () => {
    const result = await show("789e105f-ae33-486d-9271-0696266f072d");
    expect(result.mainThread).toHaveLength(6);
    expect(result.finalResponses.at(-1)).toContain("readme");
  });

  it("takes a 1.0.x session's title from the summary line naming its leaf", async () => {
    const { sessions } = await listSessions(database.db, { limit: 200, offset: 0 });
    expect(sessions.find((s) => s.claudeSessionId === "789e105f-ae33-486d-9271-0696266f072d")?.title).toBe("Casual Chat: Simple Greeting Exchange");
  });

  it("a --fork-session copy is its own session with the same thread and no duplicates", async () => {
    const original = await show("d46c78b5-542d-408f-9326-a192e7bdae56");
    const fork = await show("f0f0f0f0-0000-4000-8000-000000000001");
    expect(fork.mainThread).toEqual(original.mainThread);
    expect(fork.duplicates).toBe(0);
  });

  it("a file holding the same lines twice (a copy appended) yields each uuid once", async () => {
    const path = join(home.dir, "projects/-home-u-src-work-a/c315a059-a97c-4835-bf08-4e4ffa9c83c6.jsonl");
    const copy = join(home.dir, "projects/-home-u-src-work-a/dup.jsonl");
    await copyFile(path, copy);
    const text = await readFile(copy, "utf8");
    await writeFile(copy, text + text);
    const analysis = analyseSession({ main: await parseTranscriptFile(copy), agents: [] });
    expect(analysis.duplicates).toBe(analysis.counts.messages / 2);
    expect(new Set(analysis.mainThread).size).toBe(analysis.mainThread.length);
  });

  it("shows an unknown session as an error, not a crash", async () => {
    const err = capture();
    const code = await runHistory(["show", "00000000-0000-4000-8000-00000000dead"], { db: database.db, claudeConfigDir: home.dir, logger, stderr: err.stream });
    expect(code).toBe(1);
    expect(err.text()).toMatch(/no Claude Code session/);
  });
});
