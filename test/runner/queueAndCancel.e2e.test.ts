import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runner } from "../../src/runner/runner.ts";
import { startMockAnthropic, type MockAnthropic } from "../support/mockAnthropic.ts";
import { cliEnv, cliPath, createHarness, dataOf, ofType, type Harness } from "./runnerHarness.ts";

/** The real CLI again: one prompt at a time per session, and cancelling a long turn. */
let harness: Harness;
let mock: MockAnthropic;
let runner: Runner;

beforeAll(async () => {
  harness = await createHarness();
  mock = await startMockAnthropic({ slowChunkMs: 100 });
  const env = cliEnv(harness.tempDir("home"), mock.url);
  runner = await harness.startRunner(env, { CLAUDE_CODE_PATH: cliPath, RUNNER_KILL_GRACE_MS: "2000" });
});
afterAll(async () => {
  await harness.close();
  await mock.close();
});

const ENDS = ["JobCompleted", "JobFailed", "JobCancelled"];

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("runner queue and cancellation with the real CLI", () => {
  it("runs three prompts queued on one session strictly one after another", async () => {
    const { sessionId } = await harness.createSession();
    const prompts = [await harness.enqueue(sessionId, "one"), await harness.enqueue(sessionId, "two"), await harness.enqueue(sessionId, "three")];
    const events = await harness.waitForEvents(sessionId, (all) => (ofType(all, "JobCompleted").length === 3 ? all : undefined), 120_000);
    const lifecycle = events.filter((e) => e.type === "JobStarted" || ENDS.includes(e.type)).map((e) => `${e.type}:${dataOf(e).promptId}`);
    expect(lifecycle).toEqual(prompts.flatMap((p) => [`JobStarted:${p}`, `JobCompleted:${p}`]));
    // Every runner event of a job lies between its start and its end.
    const jobOf = new Map(ofType(events, "JobStarted").map((e) => [dataOf(e).jobId, e.version]));
    const endOf = new Map(ofType(events, "JobCompleted").map((e) => [dataOf(e).jobId, e.version]));
    for (const event of ofType(events, "RunnerEventEmitted")) {
      const jobId = dataOf(event).jobId;
      expect(event.version).toBeGreaterThan(jobOf.get(jobId) ?? Infinity);
      expect(event.version).toBeLessThan(endOf.get(jobId) ?? -Infinity);
    }
    // Each later turn resumed the conversation: 1, 3 and 5 messages reached the model.
    const texts = ofType(events, "JobCompleted").map((e) => String(dataOf(e).resultText));
    expect(texts.map((t) => /\((\d+) messages\)/.exec(t)?.[1])).toEqual(["1", "3", "5"]);
  }, 120_000);

  it("cancels a long turn: the process group dies, JobCancelled is recorded, the next prompt runs", async () => {
    const { sessionId } = await harness.createSession();
    const slow = await harness.enqueue(sessionId, "SLOW please");
    const next = await harness.enqueue(sessionId, "after the cancel");
    await harness.waitForEvents(sessionId, (all) => ofType(all, "RunnerEventEmitted").length > 0);
    // Wait until the model is streaming, so the cancel interrupts a turn in flight.
    const deadline = Date.now() + 30_000;
    while (mock.openStreams() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const pid = runner.jobs().find((job) => job.sessionId === sessionId)?.pid;
    expect(pid).toBeTypeOf("number");
    expect(groupAlive(pid as number)).toBe(true);

    const cancelAt = Date.now();
    await harness.send(sessionId, { type: "CancelPrompt", data: { promptId: slow } });
    const cancelled = await harness.waitForEvents(sessionId, (all) => all.find((e) => e.type === "JobCancelled"));
    expect(dataOf(cancelled).promptId).toBe(slow);
    expect(Date.now() - cancelAt).toBeLessThan(5_000);
    expect(groupAlive(pid as number)).toBe(false);

    const end = await harness.waitForEvents(sessionId, (all) => all.find((e) => ENDS.includes(e.type) && dataOf(e).promptId === next));
    expect(end.type, JSON.stringify(end.data)).toBe("JobCompleted");
    const state = await harness.state(sessionId);
    expect(state.status === "open" && state.running).toBe(null);
  }, 90_000);
});
