import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SessionCommandHandler } from "../../src/eventStore/sessionCommandHandler.ts";
import { startTestService, testAuth } from "../support/service.ts";

const auth = testAuth;
let app: FastifyInstance;
let commands: SessionCommandHandler;
let close: () => Promise<void>;

/** The service as production assembles it: the HTTP app with the read models behind it and the projector in-process. */
beforeAll(async () => {
  const service = await startTestService({ projector: { blockMs: 100 } });
  if (!service.app) throw new Error("no api");
  app = service.app;
  commands = service.commands;
  close = service.close;
});
afterAll(async () => close());

it("create, prompt, then read at once with minPosition: fresh session, prompt and message", async () => {
  const created = await app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: auth, payload: { folderName: "alpha" } });
  expect(created.statusCode).toBe(201);
  const sessionId = created.json().id as string;
  const prompted = await app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}/prompts`, headers: auth, payload: { prompt: "add a README" } });
  expect(prompted.statusCode).toBeLessThan(300);
  const { position, promptId } = prompted.json() as { position: string; promptId: string };

  const messages = await app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/messages?minPosition=${position}`, headers: auth });
  expect(messages.statusCode).toBe(200);
  expect(messages.headers["x-read-fresh"]).toBe("true");
  // No runner here: the prompt waits in the queue, beside the (empty) conversation.
  expect(messages.json()).toMatchObject({ messages: [], hasMore: false, nextCursor: null, queued: [{ seq: null, status: "queued", type: "user", text: "add a README", promptId }] });

  const session = await app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}`, headers: { ...auth, "x-min-position": position } });
  expect(session.headers["x-read-fresh"]).toBe("true");
  expect(session.json()).toMatchObject({ id: sessionId, status: "active" });
  const prompts = await app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/prompts?minPosition=${position}`, headers: auth });
  expect(prompts.statusCode).toBe(200);
  expect(JSON.stringify(prompts.json())).toContain(promptId);
});

it("pages the conversation by sequence; prompts still queued come beside it, and 404 for an unknown session", async () => {
  const created = await app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: auth, payload: { folderName: "alpha" } });
  const sessionId = created.json().id as string;
  const runner = { actor: "runner", correlationId: "c", causationId: null, requestId: null };
  const ids: string[] = [];
  for (const prompt of ["one", "two", "three", "four"]) {
    ids.push((await app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}/prompts`, headers: auth, payload: { prompt } })).json().promptId);
  }
  // The runner runs the first three turns, one after the other; "four" still waits.
  let position = "";
  for (const [index, promptId] of ids.slice(0, 3).entries()) {
    const jobId = `job-${index}`;
    const machineId = String(created.json().machineId);
    await commands.execute(sessionId, { type: "StartJob", data: { jobId, promptId, runnerId: "r1", leaseMs: 30_000, machineId } }, { meta: runner });
    position = (await commands.execute(sessionId, { type: "CompleteJob", data: { jobId, resultSubtype: "success", isError: false, exitCode: 0 } }, { meta: runner })).position ?? "";
  }
  const page = (query: string) => app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/messages?minPosition=${position}&${query}`, headers: auth }).then((r) => r.json());
  expect(await page("limit=2")).toMatchObject({ messages: [{ text: "three" }, { text: "two" }], hasMore: true, nextCursor: 2, queued: [{ text: "four", status: "queued", seq: null }] });
  expect(await page("limit=2&before=2")).toMatchObject({ messages: [{ text: "one" }], hasMore: false, queued: [] });
  expect(await page("limit=5&after=1")).toMatchObject({ messages: [{ text: "two" }, { text: "three" }], hasMore: false, queued: [{ text: "four" }] });
  const missing = await app.inject({ method: "GET", url: "/api/claude-code/sessions/4b8a5c6e-0000-4000-8000-000000000000/messages", headers: auth });
  expect(missing.statusCode).toBe(404);
  const bad = await app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/messages?before=2&after=1`, headers: auth });
  expect(bad.statusCode).toBe(400);
});
