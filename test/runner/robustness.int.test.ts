import { randomUUID } from "node:crypto";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runnerKeys } from "../../src/runner/leases.ts";
import { createHarness, dataOf, fakeCliPath, ofType, type Harness } from "./runnerHarness.ts";

/**
 * What the runner does when things go wrong around a job: the store away for a while, a lease
 * lost to a stall, a session deleted mid-job, a project folder or options it must refuse.
 */
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp" };
const ENDS = ["JobCompleted", "JobFailed", "JobCancelled"];
const endOf = (promptId: string) => (events: Parameters<typeof ofType>[0]) =>
  events.find((e) => ENDS.includes(e.type) && dataOf(e).promptId === promptId);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
};

const fakeConfig = (_h: Harness, overrides: Record<string, string> = {}) => ({ CLAUDE_CODE_PATH: fakeCliPath, ...overrides });

/** A HANG job running on a fresh session: its ids, its CLI's pid and the lease key. */
const startHungJob = async (h: Harness, runner: Awaited<ReturnType<Harness["startRunner"]>>) => {
  const { sessionId } = await h.createSession();
  const promptId = await h.enqueue(sessionId, "HANG");
  await h.waitForEvents(sessionId, (all) => ofType(all, "RunnerEventEmitted").length > 0, 20_000);
  const job = runner.jobs()[0];
  if (job?.pid === undefined) throw new Error("no running job");
  const keys = runnerKeys(h.prefix);
  return { sessionId, promptId, jobId: job.jobId, pid: job.pid, lease: keys.lease(job.jobId), running: keys.running, member: `${sessionId} ${job.jobId}` };
};

describe("runner robustness", () => {
  it("keeps retrying while its Redis connection is down (1.5 s mid-output): every line is recorded once, in order, and the job's end", async () => {
    harness = await createHarness();
    const h = harness;
    // The runner's own connection, so the test can cut it as a network failure or Redis restart would.
    const connection = h.redis.duplicate();
    await h.startRunner(env, fakeConfig(h), { redis: connection });
    const { sessionId } = await h.createSession();
    const promptId = await h.enqueue(sessionId, "BENCH 600");
    await h.waitForEvents(sessionId, (all) => ofType(all, "RunnerEventEmitted").length > 3, 20_000);
    connection.disconnect();
    await sleep(1500);
    await connection.connect();
    const end = await h.waitForEvents(sessionId, endOf(promptId), 30_000);
    expect(end.type).toBe("JobCompleted");
    const lines = ofType(await h.events(sessionId), "RunnerEventEmitted");
    expect(lines.map((e) => dataOf(e).seq)).toEqual(lines.map((_, index) => index));
    expect(lines.filter((e) => dataOf(e).kind === "assistant")).toHaveLength(600);
    // The session is not stuck "running": the next prompt runs.
    const next = await h.enqueue(sessionId, "again");
    expect((await h.waitForEvents(sessionId, endOf(next), 20_000)).type).toBe("JobCompleted");
    connection.disconnect();
  }, 60_000);

  it("a job failed elsewhere while its runner stalled: the lease is not brought back and the CLI is killed", async () => {
    harness = await createHarness();
    const h = harness;
    const runner = await h.startRunner(env, fakeConfig(h));
    const job = await startHungJob(h, runner);
    // What another runner's sweep does once the lease lapsed.
    await h.send(job.sessionId, { type: "FailJob", data: { jobId: job.jobId, reason: "runner_lost", message: "swept" } });
    await h.redis.multi().del(job.lease).zrem(job.running, job.member).exec();
    await waitFor(() => !groupAlive(job.pid), 3000, "the CLI to be killed");
    await sleep(1200);
    expect(await h.redis.get(job.lease)).toBeNull();
    expect(runner.jobs()).toEqual([]);
    const ends = (await h.events(job.sessionId)).filter((e) => ENDS.includes(e.type));
    expect(ends.map((e) => `${e.type}:${String(dataOf(e).reason)}`)).toEqual(["JobFailed:runner_lost"]);
  }, 30_000);

  it("a lease now held by someone else: the CLI is killed at once, nothing more is recorded, the sweep fails the job as runner_lost", async () => {
    harness = await createHarness();
    const h = harness;
    const runner = await h.startRunner(env, fakeConfig(h));
    const job = await startHungJob(h, runner);
    await h.redis.set(job.lease, "runner-somewhere-else", "PX", 1500);
    await waitFor(() => !groupAlive(job.pid), 1500, "the CLI to be killed");
    expect(await h.redis.get(job.lease)).toBe("runner-somewhere-else");
    // The job's end was not this runner's to write: the lease lapses and a sweep records it.
    const end = await h.waitForEvents(job.sessionId, endOf(job.promptId), 10_000);
    expect(end.data).toMatchObject({ reason: "runner_lost" });
    expect(end.type).toBe("JobFailed");
  }, 30_000);

  it("deleting a session stops its running CLI and releases the job's lease", async () => {
    harness = await createHarness();
    const h = harness;
    const runner = await h.startRunner(env, fakeConfig(h));
    const job = await startHungJob(h, runner);
    await h.send(job.sessionId, { type: "DeleteSession", data: {} });
    await waitFor(() => !groupAlive(job.pid), 5000, "the CLI to be killed");
    await waitFor(async () => (await h.redis.zscore(job.running, job.member)) === null, 5000, "the job to leave the running set");
    expect(await h.redis.get(job.lease)).toBeNull();
    expect(runner.jobs()).toEqual([]);
    expect((await h.events(job.sessionId)).map((e) => e.type).slice(-2)).toEqual(["PromptCancelRequested", "SessionDeleted"]);
  }, 30_000);

  it("refuses a project folder outside GITHUB_REPOS_DIRECTORY, also through a symlink, with project_path_forbidden", async () => {
    harness = await createHarness();
    const h = harness;
    const repos = h.tempDir("repos");
    await h.startRunner(env, fakeConfig(h, { GITHUB_REPOS_DIRECTORY: repos }));
    const outside = await h.createSession();
    const escaped = join(repos, "escape");
    symlinkSync(h.tempDir("elsewhere"), escaped);
    const inside = join(repos, "app");
    mkdirSync(inside);
    const run = async (projectPath: string | null) => {
      const sessionId = projectPath === null ? outside.sessionId : randomUUID();
      if (projectPath !== null) await h.send(sessionId, { type: "CreateSession", data: { projectPath, claudeDirectoryPath: "", context: null, metadata: {} } });
      const promptId = await h.enqueue(sessionId, "hi");
      return h.waitForEvents(sessionId, endOf(promptId), 20_000);
    };
    expect((await run(null)).data).toMatchObject({ reason: "project_path_forbidden" });
    expect((await run(escaped)).data).toMatchObject({ reason: "project_path_forbidden" });
    const ok = await run(inside);
    expect(ok.type).toBe("JobCompleted");
  }, 30_000);

  it("refuses permissionMode bypassPermissions from a session or a prompt unless RUNNER_ALLOW_BYPASS_PERMISSIONS=1", async () => {
    harness = await createHarness();
    const h = harness;
    const strict = await h.startRunner(env, fakeConfig(h));
    const { sessionId } = await h.createSession({ permissionMode: "bypassPermissions" });
    const fromSession = await h.waitForEvents(sessionId, endOf(await h.enqueue(sessionId, "hi")), 20_000);
    expect(fromSession.data).toMatchObject({ reason: "invalid_options" });
    expect(String(dataOf(fromSession).message)).toContain("RUNNER_ALLOW_BYPASS_PERMISSIONS");
    const other = await h.createSession();
    const fromPrompt = await h.waitForEvents(other.sessionId, endOf(await h.enqueue(other.sessionId, "hi", { permissionMode: "bypassPermissions" })), 20_000);
    expect(fromPrompt.data).toMatchObject({ reason: "invalid_options" });
    await strict.stop();
    await h.startRunner(env, fakeConfig(h, { RUNNER_ALLOW_BYPASS_PERMISSIONS: "1" }));
    const allowed = await h.waitForEvents(sessionId, endOf(await h.enqueue(sessionId, "hi again")), 20_000);
    expect(allowed.type).toBe("JobCompleted");
  }, 30_000);
});
