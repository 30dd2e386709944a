import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claudeDirectoryPath } from "../../src/claude/claudeDirectoryPath.ts";
import { createTestApp, PROBLEM_TYPE, type TestApp } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const create = (payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: { ...t.auth, ...headers }, payload: payload as object });

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: "GET", url, headers: { ...t.auth, ...headers } });

/** Simulates the runner having linked the Claude conversation: the default listing needs it. */
const link = async (sessionId: string, promptId = randomUUID()) => {
  const meta = { actor: "runner", correlationId: "c", causationId: null, requestId: null };
  await t.commands.execute(sessionId, { type: "EnqueuePrompt", data: { promptId, messageId: randomUUID(), prompt: "hi" } }, { meta });
  const jobId = randomUUID();
  await t.commands.execute(sessionId, { type: "StartJob", data: { jobId, promptId, runnerId: "r1", leaseMs: 30_000, machineId: t.config.MACHINE_ID } }, { meta });
  const { position } = await t.commands.execute(sessionId, { type: "LinkClaudeSession", data: { jobId, claudeSessionId: `claude-${sessionId}` } }, { meta });
  return position ?? "";
};

describe("POST /api/claude-code/sessions", () => {
  it("creates a session from a folderName with the real Claude directory rule", async () => {
    const response = await create({ folderName: "alpha", context: "fix the tests", metadata: { device: "phone" } });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    const projectPath = join(t.root, "alpha");
    expect(body).toMatchObject({
      projectPath, context: "fix the tests", status: "active", claudeCodeSessionId: null, metadata: { device: "phone" },
      isWorking: false, currentJobId: null, lastJobStatus: null,
      claudeDirectoryPath: claudeDirectoryPath(t.config.CLAUDE_CONFIG_DIR, projectPath),
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.createdAt).toBe(body.updatedAt);
    expect(body.position).toMatch(/^\d+:\d+-\d+$/);
    expect(response.headers["x-request-id"]).toBeTruthy();
  });

  it("creates a session from an absolute projectPath inside the repositories folder", async () => {
    const response = await create({ projectPath: join(t.root, "beta") });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ projectPath: join(t.root, "beta"), context: null, metadata: {} });
  });

  it("records the token's name, the request id and the correlation id on the event", async () => {
    const response = await create({ folderName: "alpha" }, { "x-request-id": "req-42", "x-correlation-id": "corr-7" });
    const { events } = await t.store.readSession(response.json().id);
    expect(events[0]?.meta).toEqual({ actor: "env", requestId: "req-42", correlationId: "corr-7", causationId: null });
    const other = await create({ folderName: "alpha" }, { "x-request-id": "req-43" });
    const [first] = (await t.store.readSession(other.json().id)).events;
    expect(first?.meta.correlationId).toBe("req-43");
  });

  it("with an Idempotency-Key, a retried create answers the first one's session and makes no other", async () => {
    const key = { "idempotency-key": `create-${randomUUID()}` };
    const first = await create({ folderName: "alpha", context: "once" }, key);
    const retry = await create({ folderName: "alpha", context: "once" }, key);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect((await t.store.readSession(first.json().id)).events.map((event) => event.type)).toEqual(["SessionCreated"]);
    const other = await create({ folderName: "beta" }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe("idempotency_key_reused");
    expect((await create({ folderName: "alpha", context: "once" }, { "idempotency-key": `create-${randomUUID()}` })).json().id).not.toBe(first.json().id);
  });

  it.each([
    ["neither projectPath nor folderName", {}],
    ["both projectPath and folderName", { folderName: "alpha", projectPath: "/x" }],
    ["an empty folderName", { folderName: "" }],
    ["metadata that is not an object", { folderName: "alpha", metadata: [1, 2] }],
    ["a context that is not a string", { folderName: "alpha", context: 5 }],
    ["a body that is not an object", [1, 2, 3]],
  ])("rejects %s with 400 validation_failed", async (_name, payload) => {
    const response = await create(payload);
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toBe(PROBLEM_TYPE);
    expect(response.json()).toMatchObject({ code: "validation_failed", status: 400 });
  });

  it("rejects malformed JSON and a wrong media type", async () => {
    const broken = await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: { ...t.auth, "content-type": "application/json" }, payload: "{oops" });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe("validation_failed");
    const text = await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: { ...t.auth, "content-type": "application/xml" }, payload: "<folderName>alpha</folderName>" });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe("unsupported_media_type");
  });

  it("refuses NUL characters, which Postgres read models could not store", async () => {
    for (const payload of [{ folderName: "alpha", context: "a\u0000b" }, { folderName: "alpha", metadata: { note: "x\u0000" } }, { folderName: "alpha", metadata: { "k\u0000": 1 } }]) {
      const response = await create(payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe("validation_failed");
    }
    const session = (await create({ folderName: "alpha" })).json();
    const prompt = await t.app.inject({ method: "POST", url: `/api/claude-code/sessions/${session.id}/prompts`, headers: t.auth, payload: { prompt: "run\u0000this" } });
    expect(prompt.statusCode).toBe(400);
    expect(prompt.json().code).toBe("validation_failed");
  });
});

describe("GET /api/claude-code/sessions/:sessionId", () => {
  it("reads a session back after its write (minPosition from the write)", async () => {
    const created = (await create({ folderName: "alpha" })).json();
    const byQuery = await get(`/api/claude-code/sessions/${created.id}?minPosition=${created.position}`);
    expect(byQuery.statusCode).toBe(200);
    expect(byQuery.headers["x-read-fresh"]).toBe("true");
    const { position: _position, ...session } = created;
    expect(byQuery.json()).toEqual(session);
    const byHeader = await get(`/api/claude-code/sessions/${created.id}`, { "x-min-position": created.position });
    expect(byHeader.json().id).toBe(created.id);
  });

  it("answers 404 session_not_found for an unknown id and 400 for a malformed one", async () => {
    const missing = await get(`/api/claude-code/sessions/${randomUUID()}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("session_not_found");
    const malformed = await get("/api/claude-code/sessions/not-a-uuid");
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe("validation_failed");
  });

  it("rejects a malformed minPosition in the query or the header", async () => {
    const created = (await create({ folderName: "alpha" })).json();
    expect((await get(`/api/claude-code/sessions/${created.id}?minPosition=yesterday`)).json().code).toBe("validation_failed");
    const header = await get(`/api/claude-code/sessions/${created.id}`, { "x-min-position": "1:abc" });
    expect(header.statusCode).toBe(400);
    expect(header.json().code).toBe("validation_failed");
  });
});

describe("GET /api/claude-code/sessions", () => {
  it("lists only sessions linked to a Claude session unless includeUnlinked=true", async () => {
    const linked = (await create({ folderName: "beta", context: "linked" })).json();
    const position = await link(linked.id);
    const unlinked = (await create({ folderName: "beta" })).json();
    const byDefault = (await get(`/api/claude-code/sessions?limit=100&minPosition=${position}`)).json();
    const ids = byDefault.sessions.map((session: { id: string }) => session.id);
    expect(ids).toContain(linked.id);
    expect(ids).not.toContain(unlinked.id);
    expect(byDefault.sessions.find((session: { id: string }) => session.id === linked.id)).toMatchObject({
      claudeCodeSessionId: `claude-${linked.id}`, isWorking: true,
    });
    const all = (await get(`/api/claude-code/sessions?includeUnlinked=true&limit=100&minPosition=${unlinked.position}`)).json();
    expect(all.sessions.map((session: { id: string }) => session.id)).toEqual(expect.arrayContaining([linked.id, unlinked.id]));
    expect(all.total).toBeGreaterThan(byDefault.total);
  });

  it("filters by status and pages with limit and offset", async () => {
    const archived = (await create({ folderName: "alpha" })).json();
    const patched = await t.app.inject({ method: "PATCH", url: `/api/claude-code/sessions/${archived.id}`, headers: t.auth, payload: { status: "archived" } });
    const position = patched.json().position;
    const page = (await get(`/api/claude-code/sessions?status=archived&includeUnlinked=true&minPosition=${position}`)).json();
    expect(page.sessions.map((session: { id: string }) => session.id)).toEqual([archived.id]);
    const all = (await get("/api/claude-code/sessions?includeUnlinked=1&limit=100")).json();
    const first = (await get("/api/claude-code/sessions?includeUnlinked=1&limit=2&offset=0")).json();
    const second = (await get("/api/claude-code/sessions?includeUnlinked=1&limit=2&offset=2")).json();
    expect(first).toMatchObject({ limit: 2, offset: 0, total: all.total });
    expect([...first.sessions, ...second.sessions].map((session: { id: string }) => session.id)).toEqual(
      all.sessions.slice(0, 4).map((session: { id: string }) => session.id),
    );
  });

  it.each(["limit=0", "limit=101", "limit=ten", "offset=-1", "status=busy", "includeUnlinked=maybe"])(
    "rejects the query %s with 400", async (query) => {
      const response = await get(`/api/claude-code/sessions?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe("validation_failed");
    },
  );
});

describe("PATCH and DELETE /api/claude-code/sessions/:sessionId", () => {
  it("updates context, metadata and status and answers with the updated session", async () => {
    const created = (await create({ folderName: "alpha", metadata: { a: 1 } })).json();
    const response = await t.app.inject({
      method: "PATCH", url: `/api/claude-code/sessions/${created.id}`, headers: t.auth,
      payload: { context: "new context", metadata: { b: 2 }, status: "inactive" },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: created.id, context: "new context", status: "inactive" });
    expect(response.json().metadata).toEqual({ a: 1, b: 2 });
    expect(response.json().position).not.toBe(created.position);
  });

  it("merges metadata (null deletes a key) and refuses CLI options the runner would refuse", async () => {
    const created = (await create({ folderName: "alpha", metadata: { a: 1, model: "claude-x" } })).json();
    const patch = (payload: object) => t.app.inject({ method: "PATCH", url: `/api/claude-code/sessions/${created.id}`, headers: t.auth, payload });
    expect((await patch({ metadata: { model: null, permissionMode: "acceptEdits" } })).json().metadata).toEqual({ a: 1, permissionMode: "acceptEdits" });
    for (const metadata of [{ model: "--evil" }, { permissionMode: "yolo" }, { permissionMode: "bypassPermissions" }, { maxTurns: 0 }]) {
      const refused = await patch({ metadata });
      expect(refused.statusCode, JSON.stringify(metadata)).toBe(400);
      expect(refused.json().code).toBe("validation_failed");
    }
    expect((await patch({ context: "still" })).json().metadata).toEqual({ a: 1, permissionMode: "acceptEdits" });
  });

  it.each([
    ["an empty body", {}],
    ["an unknown status", { status: "paused" }],
  ])("rejects %s with 400", async (_name, payload) => {
    const created = (await create({ folderName: "alpha" })).json();
    const response = await t.app.inject({ method: "PATCH", url: `/api/claude-code/sessions/${created.id}`, headers: t.auth, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("validation_failed");
  });

  it("deletes a session: it is gone from reads and refuses further commands with 410", async () => {
    const created = (await create({ folderName: "alpha" })).json();
    const deleted = await t.app.inject({ method: "DELETE", url: `/api/claude-code/sessions/${created.id}`, headers: t.auth });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toMatchObject({ success: true, sessionId: created.id });
    const read = await get(`/api/claude-code/sessions/${created.id}?minPosition=${deleted.json().position}`);
    expect(read.statusCode).toBe(404);
    const again = await t.app.inject({ method: "DELETE", url: `/api/claude-code/sessions/${created.id}`, headers: t.auth });
    expect(again.statusCode).toBe(410);
    expect(again.json().code).toBe("session_deleted");
    const patch = await t.app.inject({ method: "PATCH", url: `/api/claude-code/sessions/${created.id}`, headers: t.auth, payload: { context: "x" } });
    expect(patch.json().code).toBe("session_deleted");
  });

  it("answers 404 for commands on a session that never existed", async () => {
    const response = await t.app.inject({ method: "DELETE", url: `/api/claude-code/sessions/${randomUUID()}`, headers: t.auth });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: "session_not_found", status: 404 });
  });
});

describe("errors", () => {
  it("answers unknown routes with a problem and a request id", async () => {
    const response = await get("/api/claude-code/nothing-here");
    expect(response.statusCode).toBe(404);
    expect(response.headers["content-type"]).toBe(PROBLEM_TYPE);
    expect(response.json()).toMatchObject({ code: "not_found", requestId: response.headers["x-request-id"] });
  });
});
