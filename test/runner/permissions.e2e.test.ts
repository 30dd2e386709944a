import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockAnthropic, type MockAnthropic } from "../support/mockAnthropic.ts";
import { cliEnv, cliPath, createHarness, dataOf, type Harness } from "./runnerHarness.ts";

/**
 * Tool approvals over stdin (RUNNER_PERMISSION_PROMPTS=1): the real CLI asks over the control
 * protocol, the runner records PermissionRequested, the phone's DecidePermission reaches the
 * CLI as a control_response, and the tool runs (or not).
 */
let harness: Harness;
let mock: MockAnthropic;

beforeAll(async () => {
  harness = await createHarness();
  mock = await startMockAnthropic();
  const env = cliEnv(harness.tempDir("home"), mock.url);
  await harness.startRunner(env, { CLAUDE_CODE_PATH: cliPath, RUNNER_PERMISSION_PROMPTS: "1" });
});
afterAll(async () => {
  await harness.close();
  await mock.close();
});

const ENDS = ["JobCompleted", "JobFailed", "JobCancelled"];

describe("tool approvals from the phone", () => {
  it.each([
    { behavior: "allow", written: true, outcome: "writes the file" },
    { behavior: "deny", written: false, outcome: "is refused with the phone's message" },
  ] as const)("$behavior: the Write tool waits for the answer, then $outcome", async ({ behavior, written }) => {
    const { sessionId, projectPath } = await harness.createSession();
    const promptId = await harness.enqueue(sessionId, "WRITE a file");
    const request = await harness.waitForEvents(sessionId, (all) => all.find((e) => e.type === "PermissionRequested"));
    expect(dataOf(request)).toMatchObject({ toolName: "Write" });
    expect(existsSync(join(projectPath, "hello.txt"))).toBe(false);

    const requestId = String(dataOf(request).requestId);
    await harness.send(sessionId, { type: "DecidePermission", data: { requestId, behavior, ...(behavior === "deny" ? { message: "not now" } : {}) } });
    const end = await harness.waitForEvents(sessionId, (all) => all.find((e) => ENDS.includes(e.type) && dataOf(e).promptId === promptId));
    expect(end.type).toBe("JobCompleted");
    expect(existsSync(join(projectPath, "hello.txt"))).toBe(written);
    if (written) expect(readFileSync(join(projectPath, "hello.txt"), "utf8")).toBe("hello world\n");
    else expect(String(dataOf(end).resultText)).toContain("not now");
  }, 90_000);
});
