import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envelope } from "../../events/envelope.ts";
import { openSse } from "../live/clients.ts";
import { startChild, type Child } from "../support/childProcess.ts";
import { startMockAnthropic, type MockAnthropic } from "../support/mockAnthropic.ts";
import { redisUrl } from "../support/redis.ts";
import { assembleTest, createTestClients, listen, testAuth, type TestClients, type TestService } from "../support/service.ts";
import { cli21Path, cliEnv, cliPath, dataOf } from "./runnerHarness.ts";

/**
 * The person in the loop, end to end: the real CLI (the pinned 2.0.77 and the native 2.1
 * build) asks over the control protocol, the phone answers over HTTP, the runner (a process of
 * its own) writes the answer back, and the tool runs or not.
 */
const PERMISSION_TIMEOUT_MS = 8000;
const KILL_GRACE_MS = 20_000;
const LEASE_MS = 3000;

type Body = Record<string, unknown>;
type Permission = { requestId: string; status: string; toolName: string; kind: string; input: Body; [key: string]: unknown };

describe.each([
  { version: "2.0.77", path: cliPath },
  { version: "2.1.331", path: cli21Path },
])("the phone in the loop, with Claude Code $version", ({ path }) => {
  let clients: TestClients;
  let api: TestService;
  let url: string;
  let mock: MockAnthropic;
  let runner: Child;
  let home: string;

  const startRunner = () =>
    startChild(new URL("./runnerProcess.ts", import.meta.url), {
      ...cliEnv(home, mock.url),
      TEST_REDIS_URL: redisUrl, REDIS_KEY_PREFIX: clients.prefix, PARTITIONS: "4", GITHUB_REPOS_DIRECTORY: clients.root,
      DATA_DIR: mkdtempSync(join(clients.scratch, "runner-")), CLAUDE_CODE_PATH: path, LOG_LEVEL: "silent",
      PERMISSION_TIMEOUT_MS: String(PERMISSION_TIMEOUT_MS), RUNNER_KILL_GRACE_MS: String(KILL_GRACE_MS), RUNNER_LEASE_MS: String(LEASE_MS),
    });

  beforeAll(async () => {
    clients = await createTestClients({ partitions: 4 });
    mock = await startMockAnthropic({ slowChunkMs: 100, slowChunks: 600 });
    home = mkdtempSync(join(clients.scratch, "home-"));
    api = await assembleTest(clients, { roles: ["api", "projector"], config: { READ_WAIT_MS: "5000" } });
    url = (await listen(api.app)).url;
    runner = await startRunner();
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    await api?.stop();
    await mock?.close();
    await clients?.close();
  });

  const call = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: Body }> => {
    const response = await fetch(`${url}/api/claude-code/sessions${route}`, {
      method,
      headers: { ...testAuth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Body };
  };

  const poll = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await check();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const newSession = async () => {
    const folderName = `p-${randomUUID().slice(0, 8)}`;
    mkdirSync(join(clients.root, folderName));
    const created = await call("POST", "", { folderName });
    expect(created.status).toBe(201);
    return { sessionId: String(created.body.id), folder: join(clients.root, folderName) };
  };

  const send = async (sessionId: string, prompt: string, extra: Body = {}) => {
    const sent = await call("POST", `/${sessionId}/prompts`, { prompt, ...extra });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    return sent.body;
  };

  /** The read model may not have the new session yet (404): nothing to show then. */
  const permissions = async (sessionId: string) => ((await call("GET", `/${sessionId}/permissions`)).body.permissions ?? []) as Permission[];

  const pending = (sessionId: string) =>
    poll("a pending permission request", async () => (await permissions(sessionId)).find((permission) => permission.status === "pending"));

  const finished = (sessionId: string, promptId: unknown) =>
    poll("the prompt to finish", async () => {
      const prompt = (await call("GET", `/${sessionId}/prompts/${String(promptId)}`)).body;
      return ["completed", "failed", "cancelled"].includes(String(prompt.status)) ? prompt : undefined;
    }, 60_000);

  const events = async (sessionId: string): Promise<Envelope[]> => [...(await api.store.readSession(sessionId)).events];
  const resultText = async (sessionId: string, promptId: unknown) =>
    String(dataOf((await events(sessionId)).find((event) => event.type === "JobCompleted" && dataOf(event).promptId === promptId))?.resultText ?? "");

  const decide = (sessionId: string, requestId: string, body: Body) => call("POST", `/${sessionId}/permissions/${requestId}`, body);

  it("a Write allowed from the phone writes the file; the same answer again changes nothing; another answer is refused", async () => {
    const { sessionId, folder } = await newSession();
    const sent = await send(sessionId, "WRITE a file");
    const request = await pending(sessionId);
    expect(request).toMatchObject({ toolName: "Write", kind: "tool", promptId: sent.promptId, decision: null, decidedAt: null });
    expect(String(request.input.file_path)).toBe(join(folder, "hello.txt"));
    expect(existsSync(join(folder, "hello.txt"))).toBe(false);
    expect((await call("GET", `/${sessionId}`)).body.pendingPermissions).toBe(1);
    expect((await decide(sessionId, request.requestId, { decision: "allow", answers: { "Which?": "B" } })).body.code).toBe("permission_answer_invalid");

    const allowed = await decide(sessionId, request.requestId, { decision: "allow" });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ requestId: request.requestId, status: "allowed", decision: "allow", decidedBy: "env", position: expect.any(String) });
    const again = await decide(sessionId, request.requestId, { decision: "allow" });
    expect(again).toMatchObject({ status: 200, body: { status: "allowed", position: null } });
    const contradicting = await decide(sessionId, request.requestId, { decision: "deny" });
    expect(contradicting).toMatchObject({ status: 409, body: { code: "permission_already_decided" } });

    expect(await finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(readFileSync(join(folder, "hello.txt"), "utf8")).toBe("hello world\n");
    expect((await call("GET", `/${sessionId}`)).body.pendingPermissions).toBe(0);
  }, 90_000);

  it("denied: nothing is written and the model is told why", async () => {
    const { sessionId, folder } = await newSession();
    const sent = await send(sessionId, "WRITE a file");
    const request = await pending(sessionId);
    expect((await decide(sessionId, request.requestId, { decision: "deny", message: "not that file" })).body).toMatchObject({ status: "denied", message: "not that file" });
    expect(await finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(existsSync(join(folder, "hello.txt"))).toBe(false);
    expect(await resultText(sessionId, sent.promptId)).toContain("not that file");
  }, 90_000);

  it("unanswered: expires as a deny and can no longer be answered", async () => {
    const { sessionId, folder } = await newSession();
    const sent = await send(sessionId, "WRITE a file");
    const request = await pending(sessionId);
    const expired = await poll("the expiry", async () => {
      const permission = (await call("GET", `/${sessionId}/permissions/${request.requestId}`)).body;
      return permission.status === "expired" ? permission : undefined;
    }, PERMISSION_TIMEOUT_MS + 20_000);
    expect(String(expired.message)).toContain("expired");
    expect(await finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(existsSync(join(folder, "hello.txt"))).toBe(false);
    expect(await decide(sessionId, request.requestId, { decision: "allow" })).toMatchObject({ status: 409, body: { code: "permission_not_pending" } });
  }, 90_000);

  it("allow_always: the session keeps the rule and the next prompt is not asked; PATCH removes it", async () => {
    const { sessionId, folder } = await newSession();
    const first = await send(sessionId, "WRITE first.txt");
    const request = await pending(sessionId);
    expect((await decide(sessionId, request.requestId, { decision: "allow_always" })).body).toMatchObject({ status: "allowed", decision: "allow_always" });
    await finished(sessionId, first.promptId);
    expect((await call("GET", `/${sessionId}`)).body.permissionRules).toEqual(["Write"]);

    const second = await send(sessionId, "WRITE second.txt");
    expect(await finished(sessionId, second.promptId)).toMatchObject({ status: "completed" });
    expect(existsSync(join(folder, "second.txt"))).toBe(true);
    expect((await permissions(sessionId)).map((permission) => permission.requestId)).toEqual([request.requestId]);

    expect((await call("PATCH", `/${sessionId}`, { permissionRules: [] })).body.permissionRules).toEqual([]);
  }, 90_000);

  it("a phone that reconnects sees the pending request in its first frame", async () => {
    const { sessionId } = await newSession();
    const sent = await send(sessionId, "WRITE a file");
    const request = await pending(sessionId);
    const stream = await openSse(`${url}/api/claude-code/sessions/${sessionId}/stream`, testAuth);
    try {
      await stream.waitFor((received) => received.length > 0);
      const [first] = stream.received;
      expect(first?.kind).toBe("snapshot");
      expect(first?.body).toMatchObject({
        isWorking: true,
        pendingPermissions: [{ requestId: request.requestId, toolName: "Write", kind: "tool", input: { file_path: request.input.file_path } }],
      });
      // The outcome streams like every other event.
      await decide(sessionId, request.requestId, { decision: "deny" });
      await stream.waitFor((received) => received.some((item) => (item.body as Body).type === "PermissionDecided"));
    } finally {
      stream.close();
    }
    await finished(sessionId, sent.promptId);
  }, 90_000);

  it("an AskUserQuestion answered from the phone reaches the model", async () => {
    const { sessionId } = await newSession();
    const sent = await send(sessionId, "ASK me");
    const request = await pending(sessionId);
    expect(request).toMatchObject({ toolName: "AskUserQuestion", kind: "question" });
    expect(request.input).toMatchObject({ questions: [{ question: "Which color?", options: [{ label: "Red" }, { label: "Blue" }] }] });
    const answered = await decide(sessionId, request.requestId, { decision: "allow", answers: { "Which color?": "Blue" } });
    expect(answered.body).toMatchObject({ status: "allowed", answers: { "Which color?": "Blue" } });
    expect(await finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(await resultText(sessionId, sent.promptId)).toContain('"Which color?"="Blue"');
  }, 90_000);

  it("a plan: the phone reads it and lets the agent leave plan mode in the mode it picks", async () => {
    const { sessionId } = await newSession();
    const sent = await send(sessionId, "PLAN it", { options: { permissionMode: "plan" } });
    const request = await pending(sessionId);
    expect(request).toMatchObject({ toolName: "ExitPlanMode", kind: "plan" });
    expect(String(request.input.plan)).toContain("Add a README section");
    expect((await decide(sessionId, request.requestId, { decision: "allow", permissionMode: "acceptEdits" })).body).toMatchObject({ status: "allowed" });
    expect(await finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(await resultText(sessionId, sent.promptId)).toContain("approved exiting plan mode");
  }, 90_000);

  it("cancel ends the running turn through interrupt, with no kill", async () => {
    const { sessionId } = await newSession();
    const sent = await send(sessionId, "SLOW please");
    await poll("the slow reply to stream", async () => (mock.requests.some((request) => request.lastUserText.includes("SLOW please")) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const askedAt = Date.now();
    expect((await call("DELETE", `/${sessionId}/prompts/${String(sent.promptId)}`)).status).toBe(202);
    expect(await finished(sessionId, sent.promptId)).toMatchObject({ status: "cancelled" });
    expect(Date.now() - askedAt).toBeLessThan(KILL_GRACE_MS / 2);
    const cancelled = (await events(sessionId)).find((event) => event.type === "JobCancelled");
    expect(cancelled?.data).toMatchObject({ signal: null });
  }, 90_000);

  it("a steered prompt reaches the model within the running turn", async () => {
    const { sessionId } = await newSession();
    const first = await send(sessionId, "NAP please", { options: { allowedTools: ["Bash"] } });
    const napping = await poll("the nap to start", async () =>
      (await events(sessionId)).find((event) => event.type === "RunnerEventEmitted" && JSON.stringify(event.data).includes("sleep 3")));
    const jobId = String(dataOf(napping).jobId);
    const steered = await send(sessionId, "STEERED also say banana", { deliveryMode: "steer" });
    expect(steered).toMatchObject({ status: "running", steeringJobId: jobId });
    expect(await finished(sessionId, first.promptId)).toMatchObject({ status: "completed" });
    expect(await finished(sessionId, steered.promptId)).toMatchObject({ status: "completed", jobId });
    const all = await events(sessionId);
    expect(all.filter((event) => event.type === "JobStarted")).toHaveLength(1);
    const replies = all.filter((event) => event.type === "RunnerEventEmitted" && dataOf(event).jobId === jobId && dataOf(event).kind === "assistant");
    expect(replies.some((event) => JSON.stringify(event.data).includes("STEERED also say banana"))).toBe(true);
  }, 90_000);

  it("the runner killed while a request is pending: the request ends cancelled and the job runner_lost", async () => {
    const { sessionId } = await newSession();
    const sent = await send(sessionId, "WRITE a file");
    const request = await pending(sessionId);
    await runner.stop("SIGKILL");
    runner = await startRunner();
    expect(await finished(sessionId, sent.promptId)).toMatchObject({ status: "failed", error: expect.stringContaining("runner_lost") });
    const after = (await call("GET", `/${sessionId}/permissions/${request.requestId}`)).body;
    expect(after).toMatchObject({ status: "cancelled", message: "job_ended" });
    expect(await decide(sessionId, request.requestId, { decision: "allow" })).toMatchObject({ status: 409, body: { code: "permission_not_pending" } });
  }, 90_000);
});
