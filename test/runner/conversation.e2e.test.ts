import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSse } from "../live/clients.ts";
import { testAuth } from "../support/service.ts";
import { startPhoneHarness, type Body, type PhoneHarness } from "./phoneHarness.ts";
import { cli21Path, cliPath } from "./runnerHarness.ts";

/**
 * The conversation a phone renders, end to end with the real CLI: turns in the order they ran,
 * the answer so far for a phone that joins mid-answer, a conversation begun at the terminal
 * continued from the phone, and a session whose conversation is gone reset.
 */
type Message = { type: string; text: string; status: string; promptId: string | null; seq: number | null };

/** Runs one turn with the CLI directly, as at the terminal; answers the conversation's id. */
const runAtTerminal = (cli: string, folder: string, env: Record<string, string>, prompt: string) =>
  new Promise<string>((resolve, reject) => {
    const args = ["-p", "--output-format", "stream-json", "--verbose", "--input-format", "stream-json"];
    const child = cli.endsWith(".js") ? spawn(process.execPath, [cli, ...args], { cwd: folder, env }) : spawn(cli, args, { cwd: folder, env });
    let buffered = "";
    let sessionId = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let cut = buffered.indexOf("\n"); cut !== -1; cut = buffered.indexOf("\n")) {
        const line = JSON.parse(buffered.slice(0, cut)) as { type: string; session_id?: string };
        buffered = buffered.slice(cut + 1);
        if (line.type === "result") {
          sessionId = line.session_id ?? "";
          child.stdin.end();
        }
      }
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", () => {
      clearTimeout(timer);
      if (sessionId) resolve(sessionId);
      else reject(new Error("the CLI gave no result"));
    });
    child.stdin.write(`${JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "text", text: prompt }] } })}\n`);
  });

describe.each([
  { version: "2.0.77", path: cliPath },
  { version: "2.1.331", path: cli21Path },
])("the conversation a phone renders, with Claude Code $version", ({ path }) => {
  let h: PhoneHarness;
  beforeAll(async () => {
    h = await startPhoneHarness({ cliPath: path, mock: { slowChunkMs: 100, slowChunks: 300 } });
  }, 60_000);
  afterAll(async () => h?.close());

  const conversation = async (sessionId: string, query = "") => {
    const page = (await h.call("GET", `/sessions/${sessionId}/messages?after=0&limit=100${query}`)).body;
    return { messages: page.messages as Message[], queued: page.queued as Message[] };
  };

  it("three quick prompts read back as alternating turns in the order they ran, the cancelled one marked", async () => {
    const { sessionId } = await h.newSession();
    const first = await h.send(sessionId, "Say one");
    const second = await h.send(sessionId, "Say two");
    const third = await h.send(sessionId, "Say three");
    expect((await h.call("DELETE", `/sessions/${sessionId}/prompts/${String(second.promptId)}`)).status).toBe(200);
    expect(await h.finished(sessionId, first.promptId)).toMatchObject({ status: "completed" });
    expect(await h.finished(sessionId, third.promptId)).toMatchObject({ status: "completed" });

    const { messages, queued } = await conversation(sessionId);
    expect(queued).toEqual([]);
    expect(messages.map((message) => [message.type, message.type === "user" ? message.text : "reply"])).toEqual([
      ["user", "Say one"], ["assistant", "reply"], ["user", "Say three"], ["assistant", "reply"],
    ]);
    const seqs = messages.map((message) => Number(message.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Asked for, the cancelled prompt shows too, marked, where it was cancelled (before or while the first ran).
    const withCancelled = (await conversation(sessionId, "&includeCancelled=true")).messages;
    expect(withCancelled.filter((message) => message.type === "user").map((message) => [message.text, message.status]).sort()).toEqual([
      ["Say one", "sent"], ["Say three", "sent"], ["Say two", "cancelled"],
    ]);
    expect((await h.call("GET", `/sessions/${sessionId}/prompts/${String(second.promptId)}`)).body).toMatchObject({ status: "cancelled", isError: false, error: "cancelled_by_user" });
  }, 90_000);

  it("a phone joining mid-answer gets the answer so far, and what the job is doing, in its first frame", async () => {
    const { sessionId } = await h.newSession();
    const sent = await h.send(sessionId, "SLOW please");
    await h.poll("the answer to stream", async () => (h.mock.requests.some((request) => request.lastUserText.includes("SLOW please")) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stream = await openSse(`${h.url}/api/claude-code/sessions/${sessionId}/stream`, testAuth);
    try {
      await stream.waitFor((received) => received.length > 0);
      const snapshot = stream.received[0]?.body as { working: { activity: Body; reply: { text: string } } | null };
      expect(snapshot.working?.activity).toEqual({ kind: "model" });
      expect(snapshot.working?.reply.text).toMatch(/^slow 0 slow 1 slow 2 /);
      expect((await h.call("GET", `/sessions/${sessionId}`)).body.activity).toEqual({ kind: "model" });
    } finally {
      stream.close();
    }
    await h.call("DELETE", `/sessions/${sessionId}/prompts/${String(sent.promptId)}`);
    await h.finished(sessionId, sent.promptId);
    expect((await h.call("GET", `/sessions/${sessionId}`)).body.activity).toBeNull();
  }, 90_000);

  it("a conversation begun at the terminal is continued from the phone with its earlier turns; reset when its transcript is gone", async () => {
    const folderName = `terminal-${Date.now()}`;
    const folder = join(h.clients.root, folderName);
    mkdirSync(folder);
    const claudeSessionId = await runAtTerminal(path, folder, h.env, "Remember the word PAPAYA");
    // The api indexes the CLI's transcripts (its watcher); then the conversation can be continued.
    await h.poll("the transcript in the history index", async () => ((await h.call("GET", `/history/sessions/${claudeSessionId}`)).status === 200 ? true : undefined));

    const elsewhere = await h.call("POST", "/sessions", { folderName: "alpha", claudeSessionId });
    expect(elsewhere).toMatchObject({ status: 404, body: { code: "conversation_not_found" } });
    const created = await h.call("POST", "/sessions", { folderName, claudeSessionId });
    expect(created).toMatchObject({ status: 201, body: { claudeCodeSessionId: claudeSessionId } });
    const sessionId = String(created.body.id);
    const earlier = (await conversation(sessionId, `&minPosition=${String(created.body.position)}`)).messages;
    expect(earlier[0]).toMatchObject({ type: "user", text: "Remember the word PAPAYA", status: "sent", promptId: null });
    expect(earlier.some((message) => message.type === "assistant")).toBe(true);

    const asked = await h.send(sessionId, "Which word was it?");
    expect(await h.finished(sessionId, asked.promptId)).toMatchObject({ status: "completed" });
    const request = h.mock.requests.findLast((candidate) => candidate.lastUserText.includes("Which word was it?"));
    expect(JSON.stringify(request?.body.messages)).toContain("Remember the word PAPAYA");
    expect((await conversation(sessionId)).messages.filter((message) => message.type === "user").map((message) => message.text))
      .toEqual(["Remember the word PAPAYA", "Which word was it?"]);

    // Its transcript is deleted: the next prompt fails saying why, and reset starts afresh.
    const projects = join(h.home, ".claude", "projects");
    for (const project of readdirSync(projects)) rmSync(join(projects, project, `${claudeSessionId}.jsonl`), { force: true });
    const lost = await h.send(sessionId, "Are you there?");
    expect(await h.finished(sessionId, lost.promptId)).toMatchObject({ status: "failed", isError: true, error: expect.stringMatching(/^conversation_not_found: /) });
    const reset = await h.call("POST", `/sessions/${sessionId}/reset`);
    expect(reset).toMatchObject({ status: 200, body: { claudeCodeSessionId: null } });
    const fresh = await h.send(sessionId, "Start over");
    expect(await h.finished(sessionId, fresh.promptId)).toMatchObject({ status: "completed" });
    const restarted = h.mock.requests.findLast((candidate) => candidate.lastUserText.includes("Start over"));
    expect(JSON.stringify(restarted?.body.messages)).not.toContain("PAPAYA");
  }, 120_000);
});
