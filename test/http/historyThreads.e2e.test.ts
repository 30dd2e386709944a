import { cpSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixtureHome, FIXTURES } from "../transcripts/fixtureHome.ts";
import { createTestApp, type TestApp } from "./support.ts";

/**
 * What a phone sees of the fixtures' transcripts through the history routes: which sessions
 * exist, their subagents, and the two threads of their messages.
 */
const WORK_B = join(FIXTURES, "generated/cli-2.0.77/projects/-home-u-src-work-b");
const WITH_TASK = "138bf1cb-cea7-48df-9d4d-6478c7102f53"; // 2.0.77: a Task subagent in agent-a7a1ad0.jsonl, and Warmup agents
const INLINE = "5c0375b4-57a5-4f26-b12d-d022ee4e51b7"; // 1.0.108: Task subagents inline (isSidechain lines)
const PHANTOM = "0a0a0a0a-0000-4000-8000-00000000beef";

type Message = { uuid: string; agentId: string | null; isSidechain: boolean; type: string };
type Page = { messages: Message[]; hasMore: boolean; nextBefore: number | null };

/** Uuids of a file's conversation lines, in file order, read straight from the file. */
const uuidsIn = (path: string): string[] =>
  readFileSync(path, "utf8").split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => ["user", "assistant", "system", "attachment", "progress"].includes(String(line["type"])) && typeof line["uuid"] === "string")
    .map((line) => line["uuid"] as string);

let t: TestApp;
let home: Awaited<ReturnType<typeof buildFixtureHome>>;
const get = async (url: string) => {
  const response = await t.app.inject({ method: "GET", url, headers: t.auth });
  return { status: response.statusCode, body: response.json() };
};
const messages = async (id: string, query: string): Promise<Page> => (await get(`/api/claude-code/history/sessions/${id}/messages?${query}`)).body as Page;

beforeAll(async () => {
  t = await createTestApp({}, { roles: ["api"] });
  home = await buildFixtureHome();
  cpSync(join(home.dir, "projects"), join(t.config.CLAUDE_CONFIG_DIR, "projects"), { recursive: true });
  await t.history?.scan();
});
afterAll(async () => {
  await t?.close();
  await home?.cleanup();
});

describe("thread=all", () => {
  it("returns every line of the session and of its subagent, each file in its order, the subagent's where it ran", async () => {
    const all = (await messages(WITH_TASK, "thread=all&limit=500")).messages;
    const main = (await messages(WITH_TASK, "thread=main&limit=500")).messages;
    expect(all.filter((m) => m.agentId === null).map((m) => m.uuid)).toEqual(uuidsIn(join(WORK_B, `${WITH_TASK}.jsonl`)));
    expect(all.filter((m) => m.agentId !== null).map((m) => m.uuid)).toEqual(uuidsIn(join(WORK_B, "agent-a7a1ad0.jsonl")));
    expect(all.filter((m) => m.agentId !== null).every((m) => m.agentId === "a7a1ad0" && m.isSidechain)).toBe(true);
    expect(all.length).toBeGreaterThan(main.length);
    // Merged by time: the subagent's lines sit between the Task tool use and its result.
    const at = (uuid: string) => all.findIndex((m) => m.uuid === uuid);
    const agentLines = all.flatMap((m, i) => (m.agentId === null ? [] : [i]));
    expect(Math.min(...agentLines)).toBeGreaterThan(at("1f7fe81e-c243-4c5c-9c9b-9ee5be132691"));
    expect(Math.max(...agentLines)).toBeLessThan(at("d019a890-4de6-41ed-b5dd-f48f8f560337"));
  });

  it("holds the side branches and inline sidechains of a 1.0.x file in file order, which main leaves out", async () => {
    const all = (await messages(INLINE, "thread=all&limit=500")).messages;
    const main = (await messages(INLINE, "thread=main&limit=500")).messages;
    expect(all.map((m) => m.uuid)).toEqual(uuidsIn(join(FIXTURES, "real/claude-code-viewer__5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl")));
    expect(all.some((m) => m.isSidechain)).toBe(true);
    expect(main.some((m) => m.isSidechain)).toBe(false);
    expect(main.length).toBeLessThan(all.length);
  });

  it("pages back through nextBefore to exactly the whole list", async () => {
    const whole = (await messages(WITH_TASK, "thread=all&limit=500")).messages.map((m) => m.uuid);
    const pages: string[][] = [];
    let page = await messages(WITH_TASK, "thread=all&limit=4");
    pages.unshift(page.messages.map((m) => m.uuid));
    while (page.hasMore) {
      page = await messages(WITH_TASK, `thread=all&limit=4&before=${page.nextBefore}`);
      pages.unshift(page.messages.map((m) => m.uuid));
    }
    expect(pages.flat()).toEqual(whole);
    expect(pages.length).toBe(Math.ceil(whole.length / 4));
  });
});

describe("sessions", () => {
  it("hides a transcript holding no conversation line (a queue-operation only): not a session, not in a project", async () => {
    const before = { projects: (await get("/api/claude-code/history/projects")).body, total: (await get("/api/claude-code/history/sessions?limit=200")).body.total };
    const line = { type: "queue-operation", operation: "dequeue", timestamp: "2026-11-24T10:32:28.340Z", sessionId: PHANTOM };
    await writeFile(join(t.config.CLAUDE_CONFIG_DIR, "projects", "-home-u-src-work-b", `${PHANTOM}.jsonl`), JSON.stringify(line) + "\n");
    expect((await t.history?.scan())?.filesRead).toBe(1);
    const sessions = (await get("/api/claude-code/history/sessions?limit=200")).body as { sessions: Array<{ claudeSessionId: string; messageCount: number }>; total: number };
    expect(sessions.total).toBe(before.total);
    expect(sessions.sessions.every((s) => s.messageCount > 0 && s.claudeSessionId !== PHANTOM)).toBe(true);
    expect((await get("/api/claude-code/history/projects")).body).toEqual(before.projects);
    expect((await get(`/api/claude-code/history/sessions/${PHANTOM}`)).status).toBe(404);
  });

  it("lists only the Task subagent of a 2.0.77 session, never its Warmup agents", async () => {
    const detail = (await get(`/api/claude-code/history/sessions/${WITH_TASK}`)).body as { subagents: Array<{ agentId: string }> };
    expect(detail.subagents.map((s) => s.agentId)).toEqual(["a7a1ad0"]);
    for (const id of ["c2ba04f9-2ac8-429c-88ee-32b8cc341eaa", "7ce8e036-be17-4bfa-8450-33a4851d020b"]) {
      expect((await get(`/api/claude-code/history/sessions/${id}`)).body.subagents).toEqual([]);
    }
    const all = (await messages("c2ba04f9-2ac8-429c-88ee-32b8cc341eaa", "thread=all")).messages;
    expect(all.some((m) => m.isSidechain)).toBe(false);
  });

  it("lists a session once, in the project of its own file, when a larger copy elsewhere carries its id", async () => {
    const id = "d46c78b5-542d-408f-9326-a192e7bdae56";
    const projects = join(t.config.CLAUDE_CONFIG_DIR, "projects");
    const own = readFileSync(join(projects, "-home-u-src-work-a", `${id}.jsonl`), "utf8");
    await writeFile(join(projects, "-home-u-src-work-b", "copy.jsonl"), (own + own).replaceAll("/home/u/src/work-a", "/home/u/src/work-b"));
    const total = (await get("/api/claude-code/history/sessions?limit=200")).body.total as number;
    await t.history?.scan();
    const inProject = async (path: string) =>
      ((await get(`/api/claude-code/history/sessions?limit=200&projectPath=${encodeURIComponent(path)}`)).body.sessions as Array<{ claudeSessionId: string }>)
        .filter((s) => s.claudeSessionId === id).length;
    expect([await inProject("/home/u/src/work-a"), await inProject("/home/u/src/work-b")]).toEqual([1, 0]);
    expect((await get("/api/claude-code/history/sessions?limit=200")).body.total).toBe(total);
    expect((await get(`/api/claude-code/history/sessions/${id}`)).body.projectPath).toBe("/home/u/src/work-a");
  });
});
