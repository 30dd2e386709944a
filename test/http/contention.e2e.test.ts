import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain, type Envelope } from "../../events/envelope.ts";
import { startChild, type Child } from "../support/childProcess.ts";
import { redisUrl } from "../support/redis.ts";
import { assembleTest, createTestClients, listen, testAuth, type TestClients, type TestService } from "../support/service.ts";

/**
 * A phone's commands on a session whose job is streaming output (the runner, in a process of
 * its own, appends 200 events/s to the same session) never meet contention: with one api
 * process, then with three.
 */
const fakeCli = new URL("../support/fakeClaude.mjs", import.meta.url).pathname;
let clients: TestClients;
let base: TestService;
let runner: Child;

const processEnv = () => ({
  PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp", TEST_REDIS_URL: redisUrl, TEST_DATABASE_URL: process.env.TEST_DATABASE_URL,
  TEST_SCHEMA: clients.schema, REDIS_KEY_PREFIX: clients.prefix, PARTITIONS: "4", GITHUB_REPOS_DIRECTORY: clients.root,
  DATA_DIR: `${clients.scratch}/data`, API_TOKEN: testAuth.authorization.slice("Bearer ".length), LOG_LEVEL: "silent",
  RATE_LIMIT_READS: "100000", RATE_LIMIT_PROMPTS: "100000", RATE_LIMIT_WRITES: "100000",
});

beforeAll(async () => {
  clients = await createTestClients({ partitions: 4 });
  // The projector keeps the read models current (PATCH answers with the session as read back).
  base = await assembleTest(clients, { roles: ["projector"] });
  runner = await startChild(new URL("../runner/runnerProcess.ts", import.meta.url), { ...processEnv(), CLAUDE_CODE_PATH: fakeCli });
}, 60_000);
afterAll(async () => {
  await runner?.stop();
  await base?.stop();
  await clients?.close();
});

const call = async (url: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...testAuth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const waitUntil = async (check: () => Promise<boolean>, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const eventsOf = async (sessionId: string): Promise<Envelope[]> => [...(await base.store.readSession(sessionId)).events];
const countBy = (events: readonly Envelope[], type: string) => {
  const counts = new Map<string, number>();
  for (const event of events.filter((e) => e.type === type)) {
    const id = String((event.data as { promptId: string }).promptId);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
};

/** 50 prompts, 20 PATCHes and 20 cancels of queued prompts at once, spread over the api urls. */
const storm = async (urls: readonly string[]) => {
  const at = (index: number) => urls[index % urls.length] ?? "";
  const session = await call(at(0), "POST", "/api/claude-code/sessions", { folderName: "alpha" });
  const sessionId = String(session.body.id);
  const streaming = await call(at(0), "POST", `/api/claude-code/sessions/${sessionId}/prompts`, { prompt: "STREAM 200" });
  await waitUntil(async () => (await eventsOf(sessionId)).filter((e) => e.type === "RunnerEventEmitted").length >= 5, "the job to stream");
  const queued: string[] = [];
  for (let index = 0; index < 20; index += 1) {
    queued.push(String((await call(at(index), "POST", `/api/claude-code/sessions/${sessionId}/prompts`, { prompt: `to cancel ${index}` })).body.promptId));
  }
  const before = (await eventsOf(sessionId)).length;
  const answers = await Promise.all([
    ...Array.from({ length: 50 }, (_, index) => call(at(index), "POST", `/api/claude-code/sessions/${sessionId}/prompts`, { prompt: `prompt ${index}` })),
    ...Array.from({ length: 20 }, (_, index) => call(at(index + 1), "PATCH", `/api/claude-code/sessions/${sessionId}`, { context: `context ${index}` })),
    ...queued.map((promptId, index) => call(at(index + 2), "DELETE", `/api/claude-code/sessions/${sessionId}/prompts/${promptId}`)),
  ]);
  const stormEvents = (await eventsOf(sessionId)).slice(before);
  // Stop the streaming job so the runner is free for the next scenario.
  await call(at(0), "DELETE", `/api/claude-code/sessions/${sessionId}/prompts/${String(streaming.body.promptId)}`);
  await waitUntil(async () => (await eventsOf(sessionId)).some((e) => e.type === "JobCancelled"), "the job to be cancelled");
  await call(at(0), "DELETE", `/api/claude-code/sessions/${sessionId}`);
  return { sessionId, answers, queued, stormEvents, prompts: answers.slice(0, 50).map((answer) => String(answer.body.promptId)) };
};

const expectNoContention = async (run: Awaited<ReturnType<typeof storm>>) => {
  const statuses = run.answers.map((answer) => answer.status);
  expect(statuses.filter((status) => status === 409 || status >= 500)).toEqual([]);
  expect(statuses).toEqual([...Array<number>(50).fill(202), ...Array<number>(40).fill(200)]);
  // The runner was appending to the same session while the storm ran.
  expect(run.stormEvents.filter((e) => e.type === "RunnerEventEmitted").length).toBeGreaterThan(0);
  const events = await eventsOf(run.sessionId);
  const enqueued = countBy(events, "PromptEnqueued");
  for (const promptId of [...run.prompts, ...run.queued]) expect(enqueued.get(promptId)).toBe(1);
  const cancelled = countBy(events, "PromptCancelled");
  for (const promptId of run.queued) expect(cancelled.get(promptId)).toBe(1);
  expect(verifyChain(run.sessionId, events)).toEqual({ ok: true, events: events.length });
};

describe("commands on a busy session", () => {
  it("one api process: every command is accepted, every prompt is enqueued once, the chain verifies", async () => {
    const api = await assembleTest(clients, { roles: ["api"] });
    try {
      const { url } = await listen(api.app);
      await expectNoContention(await storm([url]));
    } finally {
      await api.stop();
    }
  }, 60_000);

  it("three api processes: the same", async () => {
    const apis = await Promise.all(Array.from({ length: 3 }, () => startChild(new URL("../support/apiProcess.ts", import.meta.url), processEnv())));
    try {
      await expectNoContention(await storm(apis.map((api) => `http://127.0.0.1:${String(api.ready.port)}`)));
    } finally {
      await Promise.all(apis.map((api) => api.stop()));
    }
  }, 90_000);
});
