import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, PROBLEM_TYPE, type TestApp } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ PROMPT_MAX_CHARS: "1000", BODY_LIMIT_BYTES: "8192" });
});
afterAll(async () => t.close());

const runner = { actor: "runner", correlationId: "c", causationId: null, requestId: null };

const newSession = async (): Promise<string> =>
  (await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" } })).json().id;

const send = (sessionId: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}/prompts`, headers: { ...t.auth, ...headers }, payload: payload as object });

const cancel = (sessionId: string, promptId: string) =>
  t.app.inject({ method: "DELETE", url: `/api/claude-code/sessions/${sessionId}/prompts/${promptId}`, headers: t.auth });

const prompts = async (sessionId: string, minPosition: string) =>
  (await t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/prompts?minPosition=${minPosition}`, headers: t.auth })).json().prompts as Array<{ promptId: string; status: string; queuePosition: number | null }>;

/** What the runner does when it picks a prompt up. */
const startJob = (sessionId: string, promptId: string) =>
  t.commands.execute(sessionId, { type: "StartJob", data: { jobId: randomUUID(), promptId, runnerId: "runner-1", leaseMs: 30_000, machineId: t.config.MACHINE_ID } }, { meta: runner });

describe("POST .../prompts", () => {
  it("accepts a prompt on an idle session as running, position 0, and records it", async () => {
    const sessionId = await newSession();
    const response = await send(sessionId, { prompt: "Explain this repository" });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toMatchObject({ sessionId, status: "running", queuePosition: 0 });
    expect(body.promptId).not.toBe(body.messageId);
    const read = await t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/prompts/${body.promptId}?minPosition=${body.position}`, headers: t.auth });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ promptId: body.promptId, messageId: body.messageId, prompt: "Explain this repository", status: "queued" });
  });

  it("queues three prompts on one session in order, behind the one that runs", async () => {
    const sessionId = await newSession();
    const bodies = [];
    for (const prompt of ["first", "second", "third"]) bodies.push((await send(sessionId, { prompt })).json());
    expect(bodies.map((body) => [body.status, body.queuePosition])).toEqual([["running", 0], ["queued", 1], ["queued", 2]]);
    const { position } = await startJob(sessionId, bodies[0].promptId);
    const listed = await prompts(sessionId, position ?? "");
    expect(listed.map((prompt) => [prompt.promptId, prompt.status, prompt.queuePosition])).toEqual([
      [bodies[0].promptId, "running", 0], [bodies[1].promptId, "queued", 1], [bodies[2].promptId, "queued", 2],
    ]);
    const fourth = (await send(sessionId, { prompt: "fourth" })).json();
    expect(fourth).toMatchObject({ status: "queued", queuePosition: 3 });
  });

  it("takes CLI options per prompt, checked as the runner would, and keeps them with the prompt", async () => {
    const sessionId = await newSession();
    const refused = await send(sessionId, { prompt: "x", options: { model: "--evil" } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe("validation_failed");
    expect((await send(sessionId, { prompt: "x", options: { permissionMode: "bypassPermissions" } })).statusCode).toBe(400);
    const accepted = (await send(sessionId, { prompt: "x", options: { model: "claude-x", allowedTools: ["Read"], maxTurns: 2 } })).json();
    const enqueued = (await t.store.readSession(sessionId)).events.find((event) => event.type === "PromptEnqueued");
    expect(enqueued?.data).toMatchObject({ promptId: accepted.promptId, options: { model: "claude-x", allowedTools: ["Read"], maxTurns: 2 } });
  });

  it("steer: written into the running job when one runs, queued like any prompt when none does", async () => {
    const sessionId = await newSession();
    const idle = (await send(sessionId, { prompt: "first", deliveryMode: "steer" })).json();
    expect(idle).toMatchObject({ status: "running", queuePosition: 0, steeringJobId: null });
    const queued = (await send(sessionId, { prompt: "second" })).json();
    const { events } = await startJob(sessionId, idle.promptId);
    const jobId = String((events[0]?.data as { jobId: string }).jobId);
    const steered = (await send(sessionId, { prompt: "also this", deliveryMode: "steer" })).json();
    expect(steered).toMatchObject({ status: "running", queuePosition: 0, steeringJobId: jobId });
    // The steering prompt waits ahead of the queue until the runner writes it in.
    const listed = await prompts(sessionId, steered.position);
    expect(listed.map((prompt) => prompt.promptId)).toEqual([idle.promptId, steered.promptId, queued.promptId]);
  });

  it("answers a retry with the same Idempotency-Key with the same body and appends nothing", async () => {
    const sessionId = await newSession();
    const key = { "idempotency-key": `key-${randomUUID()}` };
    const first = await send(sessionId, { prompt: "only once" }, key);
    await send(sessionId, { prompt: "another prompt" });
    const before = (await t.store.readSession(sessionId)).version;
    const retry = await send(sessionId, { prompt: "only once" }, key);
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual(first.json());
    expect((await t.store.readSession(sessionId)).version).toBe(before);
    const listed = await prompts(sessionId, first.json().position);
    expect(listed.filter((prompt) => prompt.promptId === first.json().promptId)).toHaveLength(1);
  });

  it("refuses an Idempotency-Key reused for a different prompt with 422", async () => {
    const sessionId = await newSession();
    const key = { "idempotency-key": "reused-key" };
    await send(sessionId, { prompt: "one thing" }, key);
    const response = await send(sessionId, { prompt: "something else" }, key);
    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe("idempotency_key_reused");
  });

  it("refuses a prompt over PROMPT_MAX_CHARS with 413 prompt_too_long and a body over the limit with 413", async () => {
    const sessionId = await newSession();
    const long = await send(sessionId, { prompt: "x".repeat(1001) });
    expect(long.statusCode).toBe(413);
    expect(long.json().code).toBe("prompt_too_long");
    expect((await send(sessionId, { prompt: "x".repeat(1000) })).statusCode).toBe(202);
    const huge = await send(sessionId, { prompt: "y".repeat(10_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers["content-type"]).toBe(PROBLEM_TYPE);
    expect(huge.json().code).toBe("payload_too_large");
  });

  it.each([
    ["no prompt", {}],
    ["an empty prompt", { prompt: "" }],
    ["a prompt that is not a string", { prompt: ["a"] }],
    ["a projectPath that is not a string", { prompt: "a", projectPath: 3 }],
  ])("rejects %s with 400", async (_name, payload) => {
    const response = await send(await newSession(), payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("validation_failed");
  });

  it("rejects a malformed Idempotency-Key with 400", async () => {
    const response = await send(await newSession(), { prompt: "a" }, { "idempotency-key": "has spaces and/slashes" });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("validation_failed");
  });

  it("takes a projectPath override inside the repositories folder and refuses one outside", async () => {
    const sessionId = await newSession();
    expect((await send(sessionId, { prompt: "a", projectPath: join(t.root, "beta") })).statusCode).toBe(202);
    const outside = await send(sessionId, { prompt: "a", projectPath: "/etc" });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe("forbidden_path");
  });

  it("answers 404 for an unknown session and 410 for a deleted one", async () => {
    expect((await send(randomUUID(), { prompt: "a" })).json().code).toBe("session_not_found");
    const sessionId = await newSession();
    await t.app.inject({ method: "DELETE", url: `/api/claude-code/sessions/${sessionId}`, headers: t.auth });
    const response = await send(sessionId, { prompt: "a" });
    expect(response.statusCode).toBe(410);
  });
});

describe("GET .../prompts", () => {
  it("answers 404 for the prompts of an unknown session and for an unknown prompt", async () => {
    const list = await t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${randomUUID()}/prompts`, headers: t.auth });
    expect(list.statusCode).toBe(404);
    expect(list.json().code).toBe("session_not_found");
    const created = (await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" } })).json();
    const one = await t.app.inject({
      method: "GET", url: `/api/claude-code/sessions/${created.id}/prompts/${randomUUID()}?minPosition=${encodeURIComponent(created.position)}`, headers: t.auth,
    });
    expect(one.statusCode).toBe(404);
    expect(one.json().code).toBe("prompt_not_found");
  });

  it("rejects a malformed promptId with 400", async () => {
    const response = await t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${randomUUID()}/prompts/..%2F..%2Fetc`, headers: t.auth });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("validation_failed");
  });
});

describe("DELETE .../prompts/:promptId", () => {
  it("cancels a queued prompt at once and moves the queue up", async () => {
    const sessionId = await newSession();
    const sent = [];
    for (const prompt of ["a", "b", "c"]) sent.push((await send(sessionId, { prompt })).json());
    await startJob(sessionId, sent[0].promptId);
    const response = await cancel(sessionId, sent[1].promptId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ promptId: sent[1].promptId, status: "cancelled" });
    const listed = await prompts(sessionId, response.json().position);
    expect(listed.map((prompt) => [prompt.status, prompt.queuePosition])).toEqual([["running", 0], ["cancelled", null], ["queued", 1]]);
    const again = await cancel(sessionId, sent[1].promptId);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("prompt_already_finished");
  });

  it("asks the runner to stop a running prompt (202) and says so again on a repeat", async () => {
    const sessionId = await newSession();
    const sent = (await send(sessionId, { prompt: "long task" })).json();
    await startJob(sessionId, sent.promptId);
    const response = await cancel(sessionId, sent.promptId);
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ promptId: sent.promptId, sessionId, status: "cancel_requested" });
    const { events } = await t.store.readSession(sessionId);
    expect(events.at(-1)).toMatchObject({ type: "PromptCancelRequested", meta: { actor: "env" } });
    const repeat = await cancel(sessionId, sent.promptId);
    expect(repeat.statusCode).toBe(202);
    expect((await t.store.readSession(sessionId)).version).toBe(events.length);
  });

  it("answers 404 for an unknown prompt", async () => {
    const response = await cancel(await newSession(), randomUUID());
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe("prompt_not_found");
  });
});
