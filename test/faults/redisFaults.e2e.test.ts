import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { verifyChain } from "../../events/envelope.ts";
import { allProjections } from "../../projections/index.ts";
import { runRestore } from "../../src/cli/restore.ts";
import { captureLogs } from "../support/logs.ts";
import { startPrivateRedis, type PrivateRedis } from "../support/privateRedis.ts";
import { assembleTest, createTestClients, listen, testAuth, waitForProjections, type TestClients, type TestService } from "../support/service.ts";

/**
 * Redis failing under the service, on a redis-server of the test's own: strict durability that
 * Redis does not keep, a Redis that comes back empty, a Redis away for longer than a job's lease.
 */
const fakeCli = new URL("../support/fakeClaude.mjs", import.meta.url).pathname;
const ALWAYS = ["--appendonly", "yes", "--appendfsync", "always"];
const EVERYSEC = ["--appendonly", "yes", "--appendfsync", "everysec"];

let redis: PrivateRedis | undefined;
let clients: TestClients | undefined;
const services: TestService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
  await clients?.close();
  await redis?.close();
  clients = undefined;
  redis = undefined;
});

const setUp = async (args: readonly string[], config: Record<string, string> = {}, logger?: ReturnType<typeof captureLogs>["logger"]) => {
  redis = await startPrivateRedis(args);
  clients = await createTestClients({ redisUrl: redis.url, ...(logger ? { logger } : {}) });
  const service = await assembleTest(clients, { roles: ["api", "projector"], config, ...(logger ? { logger } : {}) });
  services.push(service);
  const { url } = await listen(service.app);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...testAuth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Record<string, unknown> };
  };
  return { service, call };
};

const waitUntil = async (check: () => Promise<boolean>, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe("strict durability is a promise the service verifies", () => {
  it("against a Redis without AOF: writes are refused (503), so a kill -9 and restart lose no acknowledged write", async () => {
    const { call, service } = await setUp(["--appendonly", "no"], { REDIS_DURABILITY: "strict" });
    const refused = await call("POST", "/api/claude-code/sessions", { folderName: "alpha" });
    expect(refused).toMatchObject({ status: 503, body: { code: "durability_unavailable" } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(String(refused.body.detail)).toContain("appendonly no");
    const health = await call("GET", "/health");
    expect(health.body).toMatchObject({ status: "degraded" });
    expect(JSON.stringify(health.body.problems)).toContain("durability");
    await redis?.stop("SIGKILL");
    await redis?.start();
    // Nothing was acknowledged, so nothing could be lost: no session exists.
    const heads = [];
    for await (const head of service.store.sessionHeads()) heads.push(head);
    expect(heads).toEqual([]);
  }, 60_000);

  it("Redis reconfigured to always: writes are taken and survive kill -9; restarted with everysec: refused again", async () => {
    const { call, service } = await setUp(EVERYSEC, { REDIS_DURABILITY: "strict" });
    expect((await call("POST", "/api/claude-code/sessions", { folderName: "alpha" })).status).toBe(503);
    await redis?.restart(ALWAYS);
    await waitUntil(async () => (await call("POST", "/api/claude-code/sessions", { folderName: "alpha" })).status === 201, "writes to be taken");
    const acknowledged: string[] = [];
    for (let index = 0; index < 20; index += 1) {
      const created = await call("POST", "/api/claude-code/sessions", { folderName: "alpha" });
      expect(created.status).toBe(201);
      acknowledged.push(String(created.body.id));
    }
    await redis?.stop("SIGKILL");
    await redis?.start(ALWAYS);
    for (const sessionId of acknowledged) await waitUntil(async () => (await service.store.readHead(sessionId).catch(() => ({ version: 0 }))).version === 1, `session ${sessionId}`);
    // The operator's Redis falls back to everysec on a restart: the service notices at once.
    await redis?.restart(EVERYSEC);
    await waitUntil(async () => (await call("POST", "/api/claude-code/sessions", { folderName: "alpha" })).status === 503, "writes to be refused again");
  }, 90_000);
});

describe("a Redis that comes back empty", () => {
  it("is detected: writes stop (503 redis_data_lost), /health says so, no retry loop floods the log; ccm restore brings every session back, chains verify, writes resume", async () => {
    const logs = captureLogs("info");
    const { call, service } = await setUp(["--appendonly", "no"], {}, logs.logger);
    const sessionIds: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const created = await call("POST", "/api/claude-code/sessions", { folderName: "alpha" });
      sessionIds.push(String(created.body.id));
      for (let prompt = 0; prompt < 3; prompt += 1) await call("POST", `/api/claude-code/sessions/${String(created.body.id)}/prompts`, { prompt: `prompt ${prompt}` });
    }
    await waitForProjections(service);
    const before = await Promise.all(sessionIds.map(async (sessionId) => (await service.store.readSession(sessionId)).events));
    await redis?.stop("SIGKILL");
    await redis?.start();
    await waitUntil(async () => (await call("POST", "/api/claude-code/sessions", { folderName: "alpha" })).body.code === "redis_data_lost", "the loss to be detected");
    const health = await call("GET", "/health");
    expect(health.body).toMatchObject({ status: "degraded" });
    expect(JSON.stringify(health.body.problems)).toContain("ccm restore");
    const linesBefore = logs.lines.length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(logs.lines.length - linesBefore).toBeLessThan(10);

    const out = new PassThrough();
    const err = new PassThrough();
    const code = await runRestore(["--from", "archive"], {
      db: clients!.db, store: service.store, keyPrefix: clients!.prefix, logger: logs.logger, projections: allProjections, out, err,
    });
    expect(code).toBe(0);
    for (const [index, sessionId] of sessionIds.entries()) {
      const { events } = await service.store.readSession(sessionId);
      expect(events).toEqual(before[index]);
      expect(verifyChain(sessionId, [...events]).ok).toBe(true);
    }
    await waitUntil(async () => (await call("POST", `/api/claude-code/sessions/${sessionIds[0]}/prompts`, { prompt: "after the restore" })).status === 202, "writes to resume");
    expect((await service.store.readSession(sessionIds[0] ?? "")).version).toBe((before[0]?.length ?? 0) + 1);
  }, 90_000);
});

describe("Redis away for longer than a job's lease", () => {
  it("answers 503 with Retry-After meanwhile; the running job survives (no runner_lost) and records all its output", async () => {
    const { call } = await setUp(EVERYSEC);
    const runner = await assembleTest(clients!, { roles: ["runner"], env: { PATH: process.env.PATH ?? "" }, runner: { pollMs: 200 },
      config: { CLAUDE_CODE_PATH: fakeCli, RUNNER_LEASE_MS: "1500", GITHUB_REPOS_DIRECTORY: clients!.root } });
    services.push(runner);
    const session = await call("POST", "/api/claude-code/sessions", { folderName: "alpha" });
    const sessionId = String(session.body.id);
    const prompt = await call("POST", `/api/claude-code/sessions/${sessionId}/prompts`, { prompt: "STREAM 20" });
    const lines = async () => (await runner.store.readSession(sessionId)).events.filter((event) => event.type === "RunnerEventEmitted").length;
    await waitUntil(async () => (await lines()) >= 5, "the job to stream");
    await redis?.stop("SIGTERM");
    const during = await call("GET", `/api/claude-code/sessions/${sessionId}`);
    expect(during.status).toBe(503);
    expect(Number(during.retryAfter)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await redis?.start(EVERYSEC);
    const before = await lines();
    await waitUntil(async () => (await lines()) > before + 20, "the job to go on streaming");
    await call("DELETE", `/api/claude-code/sessions/${sessionId}/prompts/${String(prompt.body.promptId)}`);
    await waitUntil(async () => (await runner.store.readSession(sessionId)).events.some((event) => event.type === "JobCancelled"), "the job to be cancelled");
    const events = (await runner.store.readSession(sessionId)).events;
    expect(events.filter((event) => event.type === "JobFailed")).toEqual([]);
    const seqs = events.filter((event) => event.type === "RunnerEventEmitted").map((event) => (event.data as { seq: number }).seq);
    expect(seqs).toEqual(seqs.map((_, index) => index));
  }, 90_000);
});
