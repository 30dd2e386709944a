import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type Child } from "../support/childProcess.ts";
import { assembleTest, createTestClients, TEST_TOKEN, type TestClients, type TestService } from "../support/service.ts";

/**
 * One api process (whose host runs no runner) and two runner processes, each its own machine
 * with its own repositories folder and the fake CLI; a projector in the test process. Sessions
 * run on their machine only; a killed machine shows offline within its heartbeat window and
 * its next prompt waits queued until it is back; a job whose machine died ends runner_lost.
 */
const HEARTBEAT_MS = 300;
const LEASE_MS = 1500;
const fakeCli = new URL("../support/fakeClaude.mjs", import.meta.url).pathname;

let clients: TestClients;
let projector: TestService;
let api: Child;
let base: string;
const runners = new Map<string, Child>();
const folders: Record<string, string> = {};

const common = () => ({
  PATH: process.env.PATH, HOME: "/tmp", REDIS_KEY_PREFIX: clients.prefix, PARTITIONS: "4", API_TOKEN: TEST_TOKEN, LOG_LEVEL: "silent",
  TEST_REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", MACHINE_HEARTBEAT_MS: String(HEARTBEAT_MS), RUNNER_LEASE_MS: String(LEASE_MS),
});

const startMachine = async (machineId: string) => {
  const runner = await startChild(new URL("../runner/runnerProcess.ts", import.meta.url), {
    ...common(), MACHINE_ID: machineId, MACHINE_NAME: `${machineId}'s machine`, GITHUB_REPOS_DIRECTORY: folders[machineId], CLAUDE_CODE_PATH: fakeCli,
  });
  runners.set(machineId, runner);
};

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many shapes, each checked by expect
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const machine = async (id: string) => ((await call("GET", "/api/claude-code/machines")).body.machines as { id: string; online: boolean }[]).find((m) => m.id === id);
const events = (sessionId: string) => projector.store.readEvents(sessionId);
const ended = (sessionId: string, promptId: string) => until(`prompt ${promptId} ended`, async () =>
  (await events(sessionId)).find((e) => ["JobCompleted", "JobFailed", "JobCancelled"].includes(e.type) && (e.data as { promptId?: string }).promptId === promptId), 20_000);

const createOn = async (machineId: string, folderName: string) => {
  const created = await call("POST", "/api/claude-code/sessions", { machineId, folderName });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ machineId, machine: { id: machineId } });
  return created.body.id as string;
};
const send = async (sessionId: string, prompt: string) => (await call("POST", `/api/claude-code/sessions/${sessionId}/prompts`, { prompt })).body;

beforeAll(async () => {
  clients = await createTestClients();
  for (const [machineId, repos] of [["laptop", ["alpha", "shared"]], ["desktop", ["beta", "shared"]]] as const) {
    folders[machineId] = join(clients.scratch, machineId);
    for (const repo of repos) mkdirSync(join(folders[machineId] ?? "", repo), { recursive: true });
    folders[machineId] = realpathSync(folders[machineId] ?? "");
  }
  projector = await assembleTest(clients, { roles: ["projector"] });
  api = await startChild(new URL("../support/apiProcess.ts", import.meta.url), {
    ...common(), MACHINE_ID: "api-host", GITHUB_REPOS_DIRECTORY: clients.root, TEST_SCHEMA: clients.schema,
    TEST_DATABASE_URL: process.env.TEST_DATABASE_URL,
  });
  base = `http://127.0.0.1:${String(api.ready.port)}`;
  await startMachine("laptop");
  await startMachine("desktop");
}, 60_000);

afterAll(async () => {
  await Promise.all([...runners.values()].map((runner) => runner.stop()));
  await api?.stop();
  await projector?.stop();
  await clients?.close();
});

describe("machines", () => {
  it("lists both machines online with their repositories and CLI version", async () => {
    const listed = await until("both machines online", async () => {
      const { body } = await call("GET", "/api/claude-code/machines");
      return (body.machines as { online: boolean }[]).filter((m) => m.online).length === 2 ? body.machines : undefined;
    });
    expect(listed).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: "laptop", name: "laptop's machine", online: true, cliVersion: "0.0.0-fake", capacity: 2, runningJobs: 0 }),
      expect.objectContaining({ id: "desktop", name: "desktop's machine", online: true, cliVersion: "0.0.0-fake" }),
    ]));
    const repos = await call("GET", "/api/claude-code/machines/desktop/repositories");
    expect(repos.body).toEqual({
      machineId: "desktop", reposDirectory: folders.desktop,
      repositories: [{ name: "beta", path: join(folders.desktop ?? "", "beta") }, { name: "shared", path: join(folders.desktop ?? "", "shared") }],
    });
    expect((await call("GET", "/api/claude-code/machines/nowhere/repositories")).body.code).toBe("machine_not_found");
  });

  it("asks which machine when several are registered and the api's host runs none; checks the folder against that machine's", async () => {
    expect((await call("POST", "/api/claude-code/sessions", { folderName: "alpha" })).body.code).toBe("machine_required");
    expect((await call("POST", "/api/claude-code/sessions", { machineId: "laptop", folderName: "beta" })).body.code).toBe("path_not_found");
    expect((await call("POST", "/api/claude-code/sessions", { machineId: "laptop", projectPath: "/etc" })).body.code).toBe("forbidden_path");
    expect((await call("POST", "/api/claude-code/sessions", { machineId: "elsewhere", folderName: "alpha" })).body.code).toBe("machine_not_found");
  });

  it("runs each session's prompts on its own machine only, in that machine's folder", async () => {
    const onLaptop = await createOn("laptop", "shared");
    const onDesktop = await createOn("desktop", "shared");
    const view = await until("the session projected", async () => {
      const read = await call("GET", `/api/claude-code/sessions/${onLaptop}`);
      return read.status === 200 ? read : undefined;
    });
    expect(view.body).toMatchObject({ machineId: "laptop", machine: { id: "laptop", name: "laptop's machine", online: true }, projectPath: join(folders.laptop ?? "", "shared") });
    for (let round = 0; round < 3; round += 1) {
      for (const [sessionId, machineId] of [[onLaptop, "laptop"], [onDesktop, "desktop"]] as const) {
        const sent = await send(sessionId, "PWD");
        expect(sent).toMatchObject({ machineOnline: true });
        const end = await ended(sessionId, sent.promptId);
        expect(end.type).toBe("JobCompleted");
        expect((end.data as { resultText?: string }).resultText).toBe(`cwd:${join(folders[machineId] ?? "", "shared")}`);
      }
    }
    for (const [sessionId, machineId] of [[onLaptop, "laptop"], [onDesktop, "desktop"]] as const) {
      const starts = (await events(sessionId)).filter((e) => e.type === "JobStarted").map((e) => (e.data as { machineId?: string }).machineId);
      expect(starts).toEqual([machineId, machineId, machineId]);
    }
  }, 60_000);

  it("a killed machine shows offline within its heartbeat window; its next prompt waits queued and runs once it is back", async () => {
    const sessionId = await createOn("laptop", "alpha");
    await runners.get("laptop")?.stop("SIGKILL");
    const killedAt = Date.now();
    await until("laptop offline", async () => ((await machine("laptop"))?.online === false ? true : undefined));
    // Three missed beats, plus one poll of slack.
    expect(Date.now() - killedAt).toBeLessThan(3 * HEARTBEAT_MS + 1000);
    expect((await machine("desktop"))?.online).toBe(true);

    const sent = await send(sessionId, "while you were away");
    expect(sent).toMatchObject({ status: "queued", machineOnline: false });
    await new Promise((resolve) => setTimeout(resolve, 4 * HEARTBEAT_MS));
    const prompt = await call("GET", `/api/claude-code/sessions/${sessionId}/prompts/${sent.promptId}?minPosition=${sent.position}`);
    expect(prompt.body).toMatchObject({ status: "queued", queuePosition: 1 });
    expect((await call("GET", `/api/claude-code/sessions/${sessionId}`)).body.machine).toEqual({ id: "laptop", name: "laptop's machine", online: false });
    expect((await events(sessionId)).some((e) => e.type === "JobStarted")).toBe(false);

    await startMachine("laptop");
    expect((await ended(sessionId, sent.promptId)).type).toBe("JobCompleted");
  }, 60_000);

  it("a job whose machine died ends runner_lost, failed by a runner of another machine", async () => {
    const sessionId = await createOn("desktop", "beta");
    const hung = await send(sessionId, "HANG");
    await until("the job started", async () => ((await events(sessionId)).some((e) => e.type === "RunnerEventEmitted") ? true : undefined));
    await runners.get("desktop")?.stop("SIGKILL");
    const end = await ended(sessionId, hung.promptId);
    expect(end).toMatchObject({ type: "JobFailed", data: { reason: "runner_lost" } });
    expect(end.meta.actor).toMatch(/^runner:/);
  }, 60_000);
});
