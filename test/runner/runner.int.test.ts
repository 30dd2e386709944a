import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createHarness, dataOf, fakeCliPath, ofType, type Harness } from "./runnerHarness.ts";

/** The runner against real Redis, with a fake CLI script or the simulator standing in for Claude. */
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp", SECRET_TOKEN: "do-not-leak" };
const ENDS = ["JobCompleted", "JobFailed", "JobCancelled"];
const endOf = (promptId: string) => (events: Parameters<typeof ofType>[0]) =>
  events.find((e) => ENDS.includes(e.type) && dataOf(e).promptId === promptId);

const withFakeCli = async (overrides: Record<string, string> = {}) => {
  harness = await createHarness();
  const runner = await harness.startRunner(env, { CLAUDE_CODE_PATH: fakeCliPath, ...overrides });
  return { h: harness, runner };
};

describe("runner", () => {
  it("simulation mode replays a realistic turn and publishes partial deltas live without storing them", async () => {
    harness = await createHarness();
    const h = harness;
    await h.startRunner(env, { CLAUDE_CODE_SIMULATE: "1" });
    const { sessionId } = await h.createSession();
    const listener = h.redis.duplicate();
    const live: string[] = [];
    listener.on("message", (_channel: string, message: string) => live.push(message));
    await listener.subscribe(`${h.prefix}live:${sessionId}`);
    const promptId = await h.enqueue(sessionId, "show me the files");
    const end = await h.waitForEvents(sessionId, endOf(promptId), 20_000);
    await listener.quit();
    expect(end.type).toBe("JobCompleted");
    const kinds = ofType(await h.events(sessionId), "RunnerEventEmitted").map((e) => dataOf(e).kind);
    expect(kinds).toEqual(["system", "assistant", "assistant", "user", "assistant", "result"]);
    expect(live.length).toBeGreaterThan(3);
    expect(JSON.parse(live[0] as string)).toMatchObject({ line: { type: "stream_event" } });
  }, 30_000);

  it("fails jobs with cli_not_found when there is no CLI, and the queue moves on", async () => {
    harness = await createHarness();
    const h = harness;
    await h.startRunner({ PATH: "/nonexistent" }, {});
    const { sessionId } = await h.createSession();
    const first = await h.enqueue(sessionId, "one");
    const second = await h.enqueue(sessionId, "two");
    const end1 = await h.waitForEvents(sessionId, endOf(first), 10_000);
    const end2 = await h.waitForEvents(sessionId, endOf(second), 10_000);
    expect([end1.type, dataOf(end1).reason, end2.type, dataOf(end2).reason]).toEqual(["JobFailed", "cli_not_found", "JobFailed", "cli_not_found"]);
  });

  it("truncates an oversized line and a large tool result to { truncated, originalBytes, sha256 }", async () => {
    const { h } = await withFakeCli({ RUNNER_MAX_LINE_BYTES: String(1024 * 1024), RUNNER_MAX_TOOL_RESULT_BYTES: String(64 * 1024) });
    const { sessionId } = await h.createSession();
    const promptId = await h.enqueue(sessionId, "BIG");
    expect((await h.waitForEvents(sessionId, endOf(promptId), 20_000)).type).toBe("JobCompleted");
    type Stored = { kind: string; message: Record<string, unknown> & { message: { content: { content: unknown }[] } } };
    const emitted = ofType(await h.events(sessionId), "RunnerEventEmitted").map((e) => dataOf<Stored>(e));
    const oversized = emitted.find((e) => e.kind === "oversized");
    expect(oversized?.message).toMatchObject({ truncated: true, type: "assistant" });
    expect(oversized?.message.originalBytes).toBeGreaterThan(3 * 1024 * 1024);
    const user = emitted.find((e) => e.kind === "user")?.message;
    const big = "y".repeat(200 * 1024);
    expect(user?.message.content[0]?.content).toEqual({ truncated: true, originalBytes: big.length, sha256: createHash("sha256").update(big).digest("hex") });
    expect(user?.tool_use_result).toMatchObject({ truncated: true });
    expect(JSON.stringify(emitted).length).toBeLessThan(64 * 1024);
  }, 30_000);

  it("records a CLI that dies without a result as JobFailed with exit code and stderr tail; env is allow-listed", async () => {
    const { h } = await withFakeCli();
    const { sessionId } = await h.createSession();
    const promptId = await h.enqueue(sessionId, "CRASH");
    const end = await h.waitForEvents(sessionId, endOf(promptId), 20_000);
    expect(end.type).toBe("JobFailed");
    expect(end.data).toMatchObject({ reason: "cli_exited", exitCode: 3, signal: null });
    expect(String(dataOf(end).stderrTail)).toContain("fake failure: something broke");
    const envPrompt = await h.enqueue(sessionId, "ENV");
    await h.waitForEvents(sessionId, endOf(envPrompt), 20_000);
    type Said = { kind: string; message: { message: { content: { text: string }[] } } };
    const said = ofType(await h.events(sessionId), "RunnerEventEmitted").map((e) => dataOf<Said>(e)).filter((e) => e.kind === "assistant");
    const names = JSON.parse(said.at(-1)?.message.message.content[0]?.text ?? "[]") as string[];
    expect(names).toContain("PATH");
    expect(names).toContain("HOME");
    expect(names).not.toContain("SECRET_TOKEN");
  }, 30_000);

  it("refuses invalid per-session options with invalid_options instead of passing them as flags", async () => {
    const { h } = await withFakeCli();
    const { sessionId } = await h.createSession({ permissionMode: "--dangerously-skip-permissions" });
    const promptId = await h.enqueue(sessionId, "hi");
    const end = await h.waitForEvents(sessionId, endOf(promptId), 20_000);
    expect(end.data).toMatchObject({ reason: "invalid_options" });
    // The prompt's own valid option overrides the session's bad default.
    const ok = await h.enqueue(sessionId, "hi again", { permissionMode: "acceptEdits" });
    expect((await h.waitForEvents(sessionId, endOf(ok), 20_000)).type).toBe("JobCompleted");
  }, 30_000);

  it("graceful shutdown fails a job that does not finish in time with runner_shutdown and kills it", async () => {
    const { h, runner } = await withFakeCli({ RUNNER_SHUTDOWN_GRACE_MS: "300" });
    const { sessionId } = await h.createSession();
    const promptId = await h.enqueue(sessionId, "HANG");
    await h.waitForEvents(sessionId, (all) => ofType(all, "RunnerEventEmitted").length > 0, 20_000);
    const pid = runner.jobs()[0]?.pid as number;
    await runner.stop();
    const end = await h.waitForEvents(sessionId, endOf(promptId), 5_000);
    expect(end.data).toMatchObject({ reason: "runner_shutdown" });
    expect(() => process.kill(-pid, 0)).toThrow();
  }, 30_000);

  it("two runners share the work: every prompt runs exactly once, one at a time per session", async () => {
    harness = await createHarness();
    const h = harness;
    const config = { CLAUDE_CODE_PATH: fakeCliPath, RUNNER_CONCURRENCY: "2" };
    const runners = [await h.startRunner(env, config), await h.startRunner(env, config)];
    const sessions = await Promise.all(Array.from({ length: 4 }, () => h.createSession()));
    const prompts = new Map<string, string[]>();
    await Promise.all(sessions.map(async ({ sessionId }) => {
      const ids: string[] = [];
      for (let n = 0; n < 3; n += 1) ids.push(await h.enqueue(sessionId, `prompt ${n}`));
      prompts.set(sessionId, ids);
    }));
    for (const { sessionId } of sessions) {
      const events = await h.waitForEvents(sessionId, (all) => (ofType(all, "JobCompleted").length === 3 ? all : undefined), 30_000);
      const lifecycle = events.filter((e) => e.type === "JobStarted" || ENDS.includes(e.type)).map((e) => `${e.type}:${dataOf(e).promptId}`);
      expect(lifecycle).toEqual((prompts.get(sessionId) ?? []).flatMap((p) => [`JobStarted:${p}`, `JobCompleted:${p}`]));
    }
    // Which runner took which job depends on timing; that each ran exactly once does not.
    const runnerIds = await Promise.all(sessions.map(async ({ sessionId }) => ofType(await h.events(sessionId), "JobStarted").map((e) => dataOf(e).runnerId)));
    expect(runnerIds.flat().every((id) => runners.some((runner) => runner.runnerId === id))).toBe(true);
  }, 40_000);
});
