import { spawn } from "node:child_process";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, dataOf, fakeCliPath, ofType, type Harness } from "./runnerHarness.ts";

/** A runner killed with -9 mid-job: its job ends as runner_lost within the lease, the queue moves on. */
let harness: Harness;
const LEASE_MS = 1500;

beforeAll(async () => {
  harness = await createHarness();
});
afterAll(async () => harness.close());

const startRunnerProcess = async (prefix: string) => {
  const child = spawn(process.execPath, ["--import", "tsx", new URL("./runnerProcess.ts", import.meta.url).pathname], {
    env: { PATH: process.env.PATH, HOME: "/tmp", GITHUB_REPOS_DIRECTORY: tmpdir(), REDIS_KEY_PREFIX: prefix, CLAUDE_CODE_PATH: fakeCliPath, RUNNER_LEASE_MS: String(LEASE_MS), TEST_REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  return { child, runnerId: (JSON.parse(line.toString()) as { runnerId: string }).runnerId };
};

describe("runner lost", () => {
  it("fails the job of a runner killed with -9 as runner_lost within the lease, then runs the next prompt", async () => {
    const { sessionId } = await harness.createSession();
    const { child, runnerId } = await startRunnerProcess(harness.prefix);
    const hung = await harness.enqueue(sessionId, "HANG");
    const next = await harness.enqueue(sessionId, "after the crash");
    const started = await harness.waitForEvents(sessionId, (all) => all.find((e) => e.type === "JobStarted"), 20_000);
    expect(dataOf(started)).toMatchObject({ promptId: hung, runnerId });
    await harness.waitForEvents(sessionId, (all) => ofType(all, "RunnerEventEmitted").length > 0, 20_000);

    child.kill("SIGKILL");
    await once(child, "exit");
    const killedAt = Date.now();
    // A surviving runner (this process) notices the lapsed lease.
    await harness.startRunner({ PATH: process.env.PATH ?? "" }, { CLAUDE_CODE_PATH: fakeCliPath, RUNNER_LEASE_MS: String(LEASE_MS) });
    const lost = await harness.waitForEvents(sessionId, (all) => all.find((e) => e.type === "JobFailed"), 20_000);
    expect(dataOf(lost)).toMatchObject({ promptId: hung, reason: "runner_lost" });
    // Within the lease, plus one sweep interval (lease / 3) of slack.
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + LEASE_MS / 3 + 500);
    const end = await harness.waitForEvents(sessionId, (all) => all.find((e) => e.type === "JobCompleted"), 20_000);
    expect(dataOf(end).promptId).toBe(next);
  }, 60_000);
});
