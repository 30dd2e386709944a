import { randomUUID } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionCommand } from "../../commands/session/index.ts";
import { testMeta } from "../support/redis.ts";
import { createTestApp, type TestApp } from "./support.ts";

/**
 * A phone renders a session's messages and Claude Code's transcripts with one renderer: the same
 * CLI output, read once from the runner's stream (session messages, through the sessions
 * projection) and once from the transcript the CLI wrote (history messages), has the same
 * content blocks. The pairs are real CLI runs: stdout and transcript of the same turn.
 */
const generated = join(import.meta.dirname, "../../../shared/fixtures/claude-code/generated");
const runs = [
  { name: "2.1.331 thinking, Bash tool use and result", stream: "cli-2.1.331/stream/s3-tool-bypass.stdout.jsonl", claudeSessionId: "275dbbfe-f0be-4baf-837e-dc78b9026dd8" },
  { name: "2.0.77 resumed turn with a Task subagent", stream: "cli-2.0.77/stream/v2.0.77-s2-resume.stdout.jsonl", claudeSessionId: "138bf1cb-cea7-48df-9d4d-6478c7102f53" },
  { name: "a tool result over 64 KB", stream: "big", claudeSessionId: "99999999-0000-4000-8000-000000000001" },
];

type Frame = Record<string, unknown> & { type: string; uuid?: string };
type Wire = { type: string; text: string; content: unknown[]; apiMessageId?: string | null; uuid?: string | null };

/** A user line answering a tool use with 100 KB of output, as stream frame and as transcript line. */
const bigRun = (claudeSessionId: string): { frames: Frame[]; transcript: string } => {
  const message = { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_big", content: "y".repeat(100_000), is_error: false }] };
  const uuid = randomUUID();
  const frame: Frame = { type: "user", message, parent_tool_use_id: null, session_id: claudeSessionId, uuid };
  const line = { type: "user", message, uuid, parentUuid: null, isSidechain: false, sessionId: claudeSessionId, cwd: "/home/u/src/big", timestamp: "2026-01-01T00:00:00.000Z" };
  return { frames: [frame], transcript: JSON.stringify(line) + "\n" };
};

const framesOf = (stream: string): Frame[] =>
  readFileSync(join(generated, stream), "utf8").split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line) as Frame);

/** What the sessions projection does with consecutive frames of one API message: one message. */
const mergeByApiMessage = (lines: readonly Wire[]): Wire[] => {
  const merged: Wire[] = [];
  for (const line of lines) {
    const last = merged.at(-1);
    if (last !== undefined && line.apiMessageId != null && last.apiMessageId === line.apiMessageId) {
      merged[merged.length - 1] = { ...last, content: [...last.content, ...line.content], text: [last.text, line.text].filter((text) => text.length > 0).join("\n") };
    } else merged.push(line);
  }
  return merged;
};

let t: TestApp;
const frames = new Map<string, Frame[]>();

beforeAll(async () => {
  t = await createTestApp();
  const projects = join(t.config.CLAUDE_CONFIG_DIR, "projects");
  for (const version of ["cli-2.1.331", "cli-2.0.77"]) cpSync(join(generated, version, "projects"), projects, { recursive: true });
  for (const run of runs) {
    if (run.stream !== "big") {
      frames.set(run.name, framesOf(run.stream));
      continue;
    }
    const big = bigRun(run.claudeSessionId);
    writeFileSync(join(projects, "-home-u-src-work-a", `${run.claudeSessionId}.jsonl`), big.transcript);
    frames.set(run.name, big.frames);
  }
  await t.history?.scan();
});
afterAll(async () => t?.close());

/** Runs the frames through the command path as the runner does; returns the session's messages, oldest first. */
const sessionMessages = async (streamFrames: readonly Frame[]): Promise<Wire[]> => {
  const sessionId = randomUUID();
  const jobId = randomUUID();
  const promptId = randomUUID();
  const script: SessionCommand[] = [
    { type: "CreateSession", data: { projectPath: join(t.root, "alpha"), claudeDirectoryPath: "", context: null, metadata: {} } },
    { type: "EnqueuePrompt", data: { promptId, messageId: randomUUID(), prompt: "replayed" } },
    { type: "StartJob", data: { jobId, promptId, runnerId: "test-runner", leaseMs: 60_000 } },
    ...streamFrames.map((frame, i): SessionCommand => ({ type: "RecordRunnerEvent", data: { jobId, seq: i + 1, kind: frame.type, message: frame } })),
  ];
  let position = "";
  for (const command of script) position = (await t.commands.execute(sessionId, command, { meta: testMeta })).position ?? position;
  const response = await t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/messages?limit=200&minPosition=${position}`, headers: t.auth });
  expect(response.headers["x-read-fresh"]).toBe("true");
  return (response.json().messages as Wire[]).reverse().slice(1); // the prompt itself is ours, not the CLI's
};

describe("history messages and session messages of the same CLI output", () => {
  for (const run of runs) {
    it(`have the same content blocks: ${run.name}`, async () => {
      const streamFrames = frames.get(run.name) ?? [];
      const fromStream = await sessionMessages(streamFrames);
      const response = await t.app.inject({ method: "GET", url: `/api/claude-code/history/sessions/${run.claudeSessionId}/messages?limit=500`, headers: t.auth });
      expect(response.statusCode).toBe(200);
      // The conversation lines this stream printed (a subagent's inner turns are not in the session's view).
      const printed = new Set(streamFrames.filter((f) => f.parent_tool_use_id == null).map((f) => f.uuid));
      const fromTranscript = (response.json().messages as Wire[]).filter((m) => m.uuid != null && printed.has(m.uuid));
      expect(fromTranscript.length).toBeGreaterThan(0);
      const shape = (m: Wire) => ({ type: m.type, text: m.text, content: m.content });
      expect(mergeByApiMessage(fromTranscript).map(shape)).toEqual(fromStream.map(shape));
    });
  }

  it("keep an oversized block's identity and size as a truncation marker", async () => {
    const response = await t.app.inject({ method: "GET", url: `/api/claude-code/history/sessions/${runs[2]?.claudeSessionId}/messages`, headers: t.auth });
    const [message] = response.json().messages as Wire[];
    expect(message?.content).toEqual([{ type: "tool_result", tool_use_id: "toolu_big", is_error: false, truncated: true, originalBytes: expect.any(Number) }]);
  });

  it("describe a transcript line by its graph fields as well", async () => {
    const response = await t.app.inject({ method: "GET", url: `/api/claude-code/history/sessions/${runs[0]?.claudeSessionId}/messages?limit=500`, headers: t.auth });
    const messages = response.json().messages as Array<Record<string, unknown>>;
    const thinking = messages.find((m) => m["uuid"] === "ccd347b3-8a32-4316-a904-72a6171a29cd");
    expect(thinking).toMatchObject({
      type: "assistant", parentUuid: "d99ccdb0-2f91-4e05-972a-e672e797d2b3", isSidechain: false, isMeta: false, agentId: null,
      apiMessageId: expect.stringMatching(/^msg_/), truncated: false, lineNo: expect.any(Number), timestamp: expect.any(String),
      content: [{ type: "thinking", thinking: expect.any(String) }],
    });
    const attachment = messages.find((m) => m["type"] === "attachment");
    expect(attachment).toMatchObject({ subtype: expect.any(String), content: [], text: "" });
  });
});
