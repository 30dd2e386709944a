import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSse } from "../live/clients.ts";
import { testAuth } from "../support/service.ts";
import { startPhoneHarness, type Body, type PhoneHarness } from "./phoneHarness.ts";
import { cli21Path, cliPath, dataOf } from "./runnerHarness.ts";

/**
 * The person in the loop, end to end: the real CLI (the pinned 2.0.77 and the native 2.1
 * build) asks over the control protocol, the phone answers over HTTP, the runner (a process of
 * its own) writes the answer back, and the tool runs or not.
 */
const PERMISSION_TIMEOUT_MS = 8000;
const KILL_GRACE_MS = 20_000;
const LEASE_MS = 3000;

describe.each([
  { version: "2.0.77", path: cliPath },
  { version: "2.1.331", path: cli21Path },
])("the phone in the loop, with Claude Code $version", ({ path }) => {
  let h: PhoneHarness;

  beforeAll(async () => {
    h = await startPhoneHarness({
      cliPath: path,
      mock: { slowChunkMs: 100, slowChunks: 600 },
      runner: { PERMISSION_TIMEOUT_MS: String(PERMISSION_TIMEOUT_MS), RUNNER_KILL_GRACE_MS: String(KILL_GRACE_MS), RUNNER_LEASE_MS: String(LEASE_MS) },
    });
  }, 60_000);
  afterAll(async () => h?.close());

  const call = (method: string, route: string, body?: unknown) => h.call(method, `/sessions${route}`, body);
  it("a Write allowed from the phone writes the file; the same answer again changes nothing; another answer is refused", async () => {
    const { sessionId, folder } = await h.newSession();
    const sent = await h.send(sessionId, "WRITE a file");
    const request = await h.pending(sessionId);
    expect(request).toMatchObject({ toolName: "Write", kind: "tool", promptId: sent.promptId, decision: null, decidedAt: null });
    expect(String(request.input.file_path)).toBe(join(folder, "hello.txt"));
    expect(existsSync(join(folder, "hello.txt"))).toBe(false);
    expect((await call("GET", `/${sessionId}`)).body.pendingPermissions).toBe(1);
    expect((await h.decide(sessionId, request.requestId, { decision: "allow", answers: { "Which?": "B" } })).body.code).toBe("permission_answer_invalid");

    const allowed = await h.decide(sessionId, request.requestId, { decision: "allow" });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ requestId: request.requestId, status: "allowed", decision: "allow", decidedBy: "env", position: expect.any(String) });
    const again = await h.decide(sessionId, request.requestId, { decision: "allow" });
    expect(again).toMatchObject({ status: 200, body: { status: "allowed", position: null } });
    const contradicting = await h.decide(sessionId, request.requestId, { decision: "deny" });
    expect(contradicting).toMatchObject({ status: 409, body: { code: "permission_already_decided" } });

    expect(await h.finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(readFileSync(join(folder, "hello.txt"), "utf8")).toBe("hello world\n");
    expect((await call("GET", `/${sessionId}`)).body.pendingPermissions).toBe(0);
  }, 90_000);

  it("denied: nothing is written and the model is told why", async () => {
    const { sessionId, folder } = await h.newSession();
    const sent = await h.send(sessionId, "WRITE a file");
    const request = await h.pending(sessionId);
    expect((await h.decide(sessionId, request.requestId, { decision: "deny", message: "not that file" })).body).toMatchObject({ status: "denied", message: "not that file" });
    expect(await h.finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(existsSync(join(folder, "hello.txt"))).toBe(false);
    expect(await h.resultText(sessionId, sent.promptId)).toContain("not that file");
  }, 90_000);

  it("unanswered: expires as a deny and can no longer be answered", async () => {
    const { sessionId, folder } = await h.newSession();
    const sent = await h.send(sessionId, "WRITE a file");
    const request = await h.pending(sessionId);
    const expired = await h.poll("the expiry", async () => {
      const permission = (await call("GET", `/${sessionId}/permissions/${request.requestId}`)).body;
      return permission.status === "expired" ? permission : undefined;
    }, PERMISSION_TIMEOUT_MS + 20_000);
    expect(String(expired.message)).toContain("expired");
    expect(await h.finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(existsSync(join(folder, "hello.txt"))).toBe(false);
    expect(await h.decide(sessionId, request.requestId, { decision: "allow" })).toMatchObject({ status: 409, body: { code: "permission_not_pending" } });
  }, 90_000);

  it("allow_always: the session keeps the rule and the next prompt is not asked; PATCH removes it", async () => {
    const { sessionId, folder } = await h.newSession();
    const first = await h.send(sessionId, "WRITE first.txt");
    const request = await h.pending(sessionId);
    expect((await h.decide(sessionId, request.requestId, { decision: "allow_always" })).body).toMatchObject({ status: "allowed", decision: "allow_always" });
    await h.finished(sessionId, first.promptId);
    expect((await call("GET", `/${sessionId}`)).body.permissionRules).toEqual(["Write"]);

    const second = await h.send(sessionId, "WRITE second.txt");
    expect(await h.finished(sessionId, second.promptId)).toMatchObject({ status: "completed" });
    expect(existsSync(join(folder, "second.txt"))).toBe(true);
    expect((await h.permissions(sessionId)).map((permission) => permission.requestId)).toEqual([request.requestId]);

    expect((await call("PATCH", `/${sessionId}`, { permissionRules: [] })).body.permissionRules).toEqual([]);
  }, 90_000);

  it("a phone that reconnects sees the pending request in its first frame", async () => {
    const { sessionId } = await h.newSession();
    const sent = await h.send(sessionId, "WRITE a file");
    const request = await h.pending(sessionId);
    // The runner says what the job is doing a moment after the CLI asks.
    await h.poll("the approval activity", async () => ((await call("GET", `/${sessionId}`)).body.activity as Body | null)?.kind === "approval" ? true : undefined);
    const stream = await openSse(`${h.url}/api/claude-code/sessions/${sessionId}/stream`, testAuth);
    try {
      await stream.waitFor((received) => received.length > 0);
      const [first] = stream.received;
      expect(first?.kind).toBe("snapshot");
      expect(first?.body).toMatchObject({
        isWorking: true,
        pendingPermissions: [{ requestId: request.requestId, toolName: "Write", kind: "tool", input: { file_path: request.input.file_path } }],
        // What the job is doing: waiting for the person.
        working: { activity: { kind: "approval", requestId: request.requestId, toolName: "Write" } },
      });
      expect((await call("GET", `/${sessionId}`)).body.activity).toEqual({ kind: "approval", requestId: request.requestId, toolName: "Write" });
      // The outcome streams like every other event.
      await h.decide(sessionId, request.requestId, { decision: "deny" });
      await stream.waitFor((received) => received.some((item) => (item.body as Body).type === "PermissionDecided"));
    } finally {
      stream.close();
    }
    await h.finished(sessionId, sent.promptId);
  }, 90_000);

  it("an AskUserQuestion answered from the phone reaches the model", async () => {
    const { sessionId } = await h.newSession();
    const sent = await h.send(sessionId, "ASK me");
    const request = await h.pending(sessionId);
    expect(request).toMatchObject({ toolName: "AskUserQuestion", kind: "question" });
    expect(request.input).toMatchObject({ questions: [{ question: "Which color?", options: [{ label: "Red" }, { label: "Blue" }] }] });
    const answered = await h.decide(sessionId, request.requestId, { decision: "allow", answers: { "Which color?": "Blue" } });
    expect(answered.body).toMatchObject({ status: "allowed", answers: { "Which color?": "Blue" } });
    expect(await h.finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(await h.resultText(sessionId, sent.promptId)).toContain('"Which color?"="Blue"');
  }, 90_000);

  it("a plan: the phone reads it and lets the agent leave plan mode in the mode it picks", async () => {
    const { sessionId } = await h.newSession();
    const sent = await h.send(sessionId, "PLAN it", { options: { permissionMode: "plan" } });
    const request = await h.pending(sessionId);
    expect(request).toMatchObject({ toolName: "ExitPlanMode", kind: "plan" });
    expect(String(request.input.plan)).toContain("Add a README section");
    expect((await h.decide(sessionId, request.requestId, { decision: "allow", permissionMode: "acceptEdits" })).body).toMatchObject({ status: "allowed" });
    expect(await h.finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    expect(await h.resultText(sessionId, sent.promptId)).toContain("approved exiting plan mode");
  }, 90_000);

  it("cancel ends the running turn through interrupt, with no kill", async () => {
    const { sessionId } = await h.newSession();
    const sent = await h.send(sessionId, "SLOW please");
    await h.poll("the slow reply to stream", async () => (h.mock.requests.some((request) => request.lastUserText.includes("SLOW please")) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const askedAt = Date.now();
    expect((await call("DELETE", `/${sessionId}/prompts/${String(sent.promptId)}`)).status).toBe(202);
    expect(await h.finished(sessionId, sent.promptId)).toMatchObject({ status: "cancelled" });
    expect(Date.now() - askedAt).toBeLessThan(KILL_GRACE_MS / 2);
    const cancelled = (await h.events(sessionId)).find((event) => event.type === "JobCancelled");
    expect(cancelled?.data).toMatchObject({ signal: null });
  }, 90_000);

  it("a steered prompt reaches the model within the running turn", async () => {
    const { sessionId } = await h.newSession();
    const first = await h.send(sessionId, "NAP please", { options: { allowedTools: ["Bash"] } });
    const napping = await h.poll("the nap to start", async () =>
      (await h.events(sessionId)).find((event) => event.type === "RunnerEventEmitted" && JSON.stringify(event.data).includes("sleep 3")));
    const jobId = String(dataOf(napping).jobId);
    const steered = await h.send(sessionId, "STEERED also say banana", { deliveryMode: "steer" });
    expect(steered).toMatchObject({ status: "running", steeringJobId: jobId });
    expect(await h.finished(sessionId, first.promptId)).toMatchObject({ status: "completed" });
    expect(await h.finished(sessionId, steered.promptId)).toMatchObject({ status: "completed", jobId });
    const all = await h.events(sessionId);
    expect(all.filter((event) => event.type === "JobStarted")).toHaveLength(1);
    const replies = all.filter((event) => event.type === "RunnerEventEmitted" && dataOf(event).jobId === jobId && dataOf(event).kind === "assistant");
    expect(replies.some((event) => JSON.stringify(event.data).includes("STEERED also say banana"))).toBe(true);
  }, 90_000);

  it("the runner killed while a request is pending: the request ends cancelled and the job runner_lost", async () => {
    const { sessionId } = await h.newSession();
    const sent = await h.send(sessionId, "WRITE a file");
    const request = await h.pending(sessionId);
    await h.replaceRunner();
    expect(await h.finished(sessionId, sent.promptId)).toMatchObject({ status: "failed", error: expect.stringContaining("runner_lost") });
    const after = (await call("GET", `/${sessionId}/permissions/${request.requestId}`)).body;
    expect(after).toMatchObject({ status: "cancelled", message: "job_ended" });
    expect(await h.decide(sessionId, request.requestId, { decision: "allow" })).toMatchObject({ status: 409, body: { code: "permission_not_pending" } });
  }, 90_000);
});
