import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockAnthropic, type MockAnthropic } from "../support/mockAnthropic.ts";
import { cliEnv, cliPath, createHarness, dataOf, ofType, type Harness } from "./runnerHarness.ts";

/**
 * The real Claude Code CLI (npm 2.0.77) run by the runner against a mock Messages API on
 * 127.0.0.1, with HOME in a temp folder: what a phone would see for a text turn, a resumed
 * turn, a tool turn and an API error.
 */
let harness: Harness;
let mock: MockAnthropic;

beforeAll(async () => {
  harness = await createHarness();
  mock = await startMockAnthropic();
  const env = cliEnv(harness.tempDir("home"), mock.url);
  await harness.startRunner(env, { CLAUDE_CODE_PATH: cliPath });
});
afterAll(async () => {
  await harness.close();
  await mock.close();
});

const ended = (promptId: string) => (events: Parameters<typeof ofType>[0]) =>
  events.find((e) => ["JobCompleted", "JobFailed", "JobCancelled"].includes(e.type) && dataOf(e).promptId === promptId);

const runnerKinds = (events: Parameters<typeof ofType>[0], jobId: string) =>
  ofType(events, "RunnerEventEmitted").filter((e) => dataOf(e).jobId === jobId).map((e) => dataOf<{ kind: string }>(e).kind);

describe("runner with the real Claude Code CLI", () => {
  it("runs a text turn, then resumes the same Claude session for the second turn", async () => {
    const { sessionId, projectPath } = await harness.createSession();
    const first = await harness.enqueue(sessionId, "Say hello");
    const end1 = await harness.waitForEvents(sessionId, ended(first));
    expect(end1.type).toBe("JobCompleted");
    expect(end1.data).toMatchObject({ resultSubtype: "success", isError: false, exitCode: 0, numTurns: 1 });
    expect(dataOf<{ resultText: string }>(end1).resultText).toContain("Hello from the mock model (1 messages)");
    expect(dataOf<{ costUsd: number }>(end1).costUsd).toBeGreaterThan(0);

    const events1 = await harness.events(sessionId);
    const started1 = dataOf<{ jobId: string }>(ofType(events1, "JobStarted")[0]);
    expect(runnerKinds(events1, started1.jobId)).toEqual(["system", "assistant", "result"]);
    const init = dataOf<{ message: { cwd: string; session_id: string } }>(ofType(events1, "RunnerEventEmitted")[0]).message;
    expect(init.cwd).toBe(projectPath);
    const links = ofType(events1, "ClaudeSessionLinked");
    expect(links).toHaveLength(1);
    expect(dataOf(links[0]).claudeSessionId).toBe(init.session_id);

    const second = await harness.enqueue(sessionId, "And again");
    const end2 = await harness.waitForEvents(sessionId, ended(second));
    expect(end2.type).toBe("JobCompleted");
    // The resumed turn carried the first exchange: 3 messages reached the model.
    expect(dataOf<{ resultText: string }>(end2).resultText).toContain("(3 messages)");
    const events2 = await harness.events(sessionId);
    expect(ofType(events2, "ClaudeSessionLinked")).toHaveLength(1);
    const inits = ofType(events2, "RunnerEventEmitted").filter((e) => dataOf<{ kind: string }>(e).kind === "system");
    expect(inits.map((e) => dataOf<{ message: { session_id: string } }>(e).message.session_id)).toEqual([init.session_id, init.session_id]);
  }, 90_000);

  it("runs a tool-use turn: Bash echo, its result, then the final text", async () => {
    const { sessionId } = await harness.createSession({ allowedTools: ["Bash(echo:*)"] });
    const promptId = await harness.enqueue(sessionId, "please use a TOOL");
    const end = await harness.waitForEvents(sessionId, ended(promptId));
    expect(end.data).toMatchObject({ resultSubtype: "success", isError: false, exitCode: 0, numTurns: 2 });
    const messages = ofType(await harness.events(sessionId), "RunnerEventEmitted").map((e) => dataOf<{ message: Record<string, unknown> }>(e).message);
    const toolUse = messages.find((m) => JSON.stringify(m).includes('"type":"tool_use"'));
    expect(JSON.stringify(toolUse)).toContain("echo hello-from-mock-tool");
    const toolResult = messages.find((m) => m.type === "user");
    expect(JSON.stringify(toolResult)).toContain("hello-from-mock-tool");
    expect(dataOf<{ resultText: string }>(end).resultText).toContain("The tool returned: hello-from-mock-tool");
  }, 90_000);

  it("reports an overloaded API (529 after retries) as an error result with exit code 1", async () => {
    const { sessionId } = await harness.createSession();
    const promptId = await harness.enqueue(sessionId, "FAIL529 please");
    const end = await harness.waitForEvents(sessionId, ended(promptId));
    expect(end.type).toBe("JobCompleted");
    expect(end.data).toMatchObject({ isError: true, exitCode: 1 });
    expect(dataOf<{ resultText: string }>(end).resultText).toContain("529");
    expect(mock.requests.filter((r) => r.lastUserText.includes("FAIL529")).length).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
