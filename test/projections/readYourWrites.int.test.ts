import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import type { Database } from "../../src/infra/database.ts";
import type { Projector } from "../../src/projector/projector.ts";
import type { SessionReads } from "../../src/readModels/sessionReads.ts";
import { startTestService } from "../support/service.ts";
import { assistantFrame, create, enqueue, sessionCommands, toolResultFrame } from "./support.ts";

let store: EventStore;
let db: Database;
let projector: Projector;
let reads: SessionReads;
let close: () => Promise<void>;

/** The service as production assembles it (api and projector roles); the test reads through its read side. */
beforeAll(async () => {
  const service = await startTestService({ projector: { blockMs: 100 } });
  if (!service.projector || !service.reads) throw new Error("roles missing");
  ({ store, db, projector, reads } = { store: service.store, db: service.db, projector: service.projector, reads: service.reads });
  close = service.close;
});
afterAll(async () => close());

describe("read your writes", () => {
  it("create, prompt, then read at once with the command's position: the data is there", async () => {
    const run = sessionCommands(store);
    const sessionId = randomUUID();
    const position = await run(sessionId, create(), enqueue("p1", "hello there"));
    expect(position).not.toBeNull();
    expect(await reads.waitForPosition(position ?? "", 5000)).toBe(true);

    const session = await reads.getSession(sessionId);
    expect(session).toMatchObject({ id: sessionId, projectPath: "/repos/app", status: "active", isWorking: false, metadata: { tag: "t" } });
    const prompts = await reads.listPrompts(sessionId);
    expect(prompts).toEqual([expect.objectContaining({ promptId: "p1", status: "queued", queuePosition: 1, prompt: "hello there" })]);
    // Not in the conversation until its turn starts: it waits in the queue.
    expect(await reads.listMessages(sessionId, { limit: 10 })).toEqual([]);
    expect(await reads.listQueuedMessages(sessionId)).toEqual([expect.objectContaining({ seq: null, status: "queued", type: "user", text: "hello there", promptId: "p1" })]);
  });

  it("a position no projection has reached yet answers false after the timeout", async () => {
    const started = Date.now();
    expect(await reads.waitForPosition("0:99999999999999-0", 150)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await reads.waitForPosition("not-a-position", 1000)).toBe(false);
  });

  it("renders a whole turn: queue positions, merged assistant frames, tool results, outcome", async () => {
    const run = sessionCommands(store);
    const sessionId = randomUUID();
    await run(sessionId, create(), enqueue("p1", "list files"), enqueue("p2", "then this"),
      { type: "StartJob", data: { jobId: "j1", promptId: "p1", runnerId: "r1", leaseMs: 30_000 } });
    let position = await run(sessionId, { type: "LinkClaudeSession", data: { jobId: "j1", claudeSessionId: "claude-1" } });
    await reads.waitForPosition(position ?? "", 5000);
    expect((await reads.getSession(sessionId))?.isWorking).toBe(true);
    expect((await reads.listPrompts(sessionId)).map((p) => [p.promptId, p.status, p.queuePosition])).toEqual([["p1", "running", 0], ["p2", "queued", 1]]);

    position = await run(sessionId,
      assistantFrame("j1", 1, "msg_1", { type: "thinking", thinking: "hmm", signature: "x".repeat(100) }),
      assistantFrame("j1", 2, "msg_1", { type: "text", text: "Let me look." }),
      assistantFrame("j1", 3, "msg_1", { type: "tool_use", id: "tu1", name: "Bash", input: { command: "ls" } }),
      toolResultFrame("j1", 4, "tu1", "a.txt\nb.txt"),
      assistantFrame("j1", 5, "msg_2", { type: "text", text: "Two files." }),
      { type: "CompleteJob", data: { jobId: "j1", resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.01, numTurns: 2, durationMs: 1234, usage: { input_tokens: 5 } } },
    );
    expect(await reads.waitForPosition(position ?? "", 5000)).toBe(true);
    const messages = await reads.listMessages(sessionId, { limit: 10 });
    // In the order the turn ran; p2 still waits in the queue.
    expect(messages.map((m) => [m.seq, m.type, m.text])).toEqual([
      [4, "assistant", "Two files."], [3, "user", ""], [2, "assistant", "Let me look."], [1, "user", "list files"],
    ]);
    expect((await reads.listQueuedMessages(sessionId)).map((m) => [m.seq, m.status, m.text])).toEqual([[null, "queued", "then this"]]);
    const turn = messages.find((m) => m.seq === 2);
    expect(turn?.content).toEqual([{ type: "thinking", thinking: "hmm" }, { type: "text", text: "Let me look." }, { type: "tool_use", id: "tu1", name: "Bash", input: { command: "ls" } }]);
    expect(turn).toMatchObject({ promptId: "p1", claudeSessionId: "claude-1" });
    expect(await reads.listMessages(sessionId, { limit: 2, before: 3 })).toMatchObject([{ seq: 2 }, { seq: 1 }]);
    expect(await reads.listMessages(sessionId, { limit: 2, after: 2 })).toMatchObject([{ seq: 3 }, { seq: 4 }]);
    const [p1, p2] = await reads.listPrompts(sessionId);
    expect(p1).toMatchObject({ status: "completed", queuePosition: null, exitCode: 0, costUsd: 0.01, numTurns: 2, durationMs: 1234, usage: { input_tokens: 5 }, jobId: "j1", isError: false, error: null });
    expect(p2).toMatchObject({ status: "queued", queuePosition: 1 });
    expect(await reads.getSession(sessionId)).toMatchObject({ isWorking: false, currentJobId: null, lastJobStatus: "completed", claudeCodeSessionId: "claude-1" });
  });

  it("the conversation reads in run order: quick prompts wait their turn, a cancelled one is marked, errors follow one convention", async () => {
    const run = sessionCommands(store);
    const sessionId = randomUUID();
    const start = (jobId: string, promptId: string) => ({ type: "StartJob", data: { jobId, promptId, runnerId: "r1", leaseMs: 30_000 } }) as const;
    await run(sessionId, create(), enqueue("p1", "one"), enqueue("p2", "two"), enqueue("p3", "three"), enqueue("p4", "four"), start("j1", "p1"),
      assistantFrame("j1", 1, "msg_1", { type: "text", text: "first answer" }));
    // p2 is cancelled while it waits; p3 runs and ends in an API error; p4 is cancelled while it runs.
    await run(sessionId, { type: "CancelPrompt", data: { promptId: "p2" } },
      { type: "CompleteJob", data: { jobId: "j1", resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.01, jobCostUsd: 0.01 } },
      start("j3", "p3"), assistantFrame("j3", 1, "msg_3", { type: "text", text: "API Error: 529" }),
      { type: "CompleteJob", data: { jobId: "j3", resultSubtype: "success", isError: true, exitCode: 1, costUsd: 0.03, jobCostUsd: 0.02, resultText: "API Error: 529 overloaded" } },
      start("j4", "p4"), { type: "CancelPrompt", data: { promptId: "p4" } });
    const position = await run(sessionId, { type: "CancelJob", data: { jobId: "j4", signal: null, exitCode: 0, jobCostUsd: 0.005 } });
    expect(await reads.waitForPosition(position ?? "", 5000)).toBe(true);

    const conversation = (await reads.listMessages(sessionId, { limit: 20, after: 0 })).map((m) => [m.type, m.text, m.status]);
    expect(conversation).toEqual([
      ["user", "one", "sent"], ["assistant", "first answer", "sent"], ["user", "three", "sent"], ["assistant", "API Error: 529", "sent"], ["user", "four", "cancelled"],
    ]);
    const withCancelled = (await reads.listMessages(sessionId, { limit: 20, after: 0, includeCancelled: true })).map((m) => [m.text, m.status]);
    expect(withCancelled).toEqual([["one", "sent"], ["first answer", "sent"], ["two", "cancelled"], ["three", "sent"], ["API Error: 529", "sent"], ["four", "cancelled"]]);
    const prompts = Object.fromEntries((await reads.listPrompts(sessionId)).map((p) => [p.promptId, [p.status, p.isError, p.error, p.costUsd]]));
    expect(prompts).toEqual({
      p1: ["completed", false, null, 0.01],
      p2: ["cancelled", false, "cancelled_by_user", null],
      p3: ["completed", true, "api_error: API Error: 529 overloaded", 0.02],
      p4: ["cancelled", false, "cancelled_by_user", 0.005],
    });
    expect((await reads.getSession(sessionId))?.costUsd).toBeCloseTo(0.035, 10);
  });

  it("deleting a session removes it with its prompts and messages", async () => {
    const run = sessionCommands(store);
    const sessionId = randomUUID();
    const position = await run(sessionId, create(), enqueue("p1"), { type: "DeleteSession", data: {} });
    expect(await reads.waitForPosition(position ?? "", 5000)).toBe(true);
    expect(await reads.getSession(sessionId)).toBeNull();
    expect(await reads.listMessages(sessionId, { limit: 10 })).toEqual([]);
    expect(await reads.listPrompts(sessionId)).toEqual([]);
  });

  it("archives every event once and reports no lag when caught up", async () => {
    const run = sessionCommands(store);
    const sessionId = randomUUID();
    const position = await run(sessionId, create(), enqueue("p1"));
    await reads.waitForPosition(position ?? "", 5000);
    const archived = await db.selectFrom("event_archive").select(["version", "type", "hash"]).where("session_id", "=", sessionId).orderBy("version").execute();
    expect(archived.map((row) => row.type)).toEqual(["SessionCreated", "PromptEnqueued"]);
    const lag = await projector.lag();
    expect(lag.map((row) => [row.projection, row.behind, row.deadLetters])).toEqual([["sessions", 0, 0], ["archive", 0, 0]]);
  });
});
