import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./support.ts";

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: "4096" });
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => t.close());

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...t.auth, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
};

describe("a real server on 127.0.0.1", () => {
  it("walks every route: create, read, list, update, prompt, list prompts, cancel, delete", async () => {
    const created = await call("POST", "/api/claude-code/sessions", { folderName: "alpha", context: "over the wire" });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get("x-request-id")).toBeTruthy();

    const read = await call("GET", `/api/claude-code/sessions/${id}?minPosition=${created.body.position}`);
    expect(read.body).toMatchObject({ id, context: "over the wire" });
    expect(read.headers.get("x-read-fresh")).toBe("true");

    const listed = await call("GET", "/api/claude-code/sessions?includeUnlinked=true&limit=100", undefined, { "x-min-position": created.body.position });
    expect(listed.body.sessions.map((session: { id: string }) => session.id)).toContain(id);

    const patched = await call("PATCH", `/api/claude-code/sessions/${id}`, { status: "inactive" });
    expect(patched.body).toMatchObject({ id, status: "inactive" });

    const key = { "idempotency-key": randomUUID() };
    const first = await call("POST", `/api/claude-code/sessions/${id}/prompts`, { prompt: "one" }, key);
    const retried = await call("POST", `/api/claude-code/sessions/${id}/prompts`, { prompt: "one" }, key);
    const second = await call("POST", `/api/claude-code/sessions/${id}/prompts`, { prompt: "two" });
    expect(first.status).toBe(202);
    expect(retried.body).toEqual(first.body);
    expect(second.body).toMatchObject({ status: "queued", queuePosition: 1 });

    const prompts = await call("GET", `/api/claude-code/sessions/${id}/prompts?minPosition=${second.body.position}`);
    expect(prompts.body.prompts.map((prompt: { prompt: string }) => prompt.prompt)).toEqual(["one", "two"]);
    const one = await call("GET", `/api/claude-code/sessions/${id}/prompts/${second.body.promptId}`);
    expect(one.body).toMatchObject({ prompt: "two", status: "queued", queuePosition: 2 });

    const cancelled = await call("DELETE", `/api/claude-code/sessions/${id}/prompts/${second.body.promptId}`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled" } });

    const deleted = await call("DELETE", `/api/claude-code/sessions/${id}`);
    expect(deleted.body).toMatchObject({ success: true, sessionId: id });
    expect((await call("GET", `/api/claude-code/sessions/${id}?minPosition=${deleted.body.position}`)).status).toBe(404);
  });

  it("refuses a missing token, a path escape and an oversized body over the wire", async () => {
    const anonymous = await fetch(`${base}/api/claude-code/sessions`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(anonymous.headers.get("x-request-id")).toBeTruthy();
    const escape = await call("POST", "/api/claude-code/sessions", { folderName: "../../etc" });
    expect(escape).toMatchObject({ status: 403, body: { code: "forbidden_path" } });
    const huge = await call("POST", "/api/claude-code/sessions", { folderName: "alpha", context: "z".repeat(8000) });
    expect(huge).toMatchObject({ status: 413, body: { code: "payload_too_large" } });
  });

  it("serves health, the OpenAPI document and the docs page", async () => {
    const health = await fetch(`${base}/health`);
    expect(await health.json()).toMatchObject({ status: "ok", services: { redis: "up", database: "up" } });
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining([
      "/api/claude-code/sessions", "/api/claude-code/sessions/{sessionId}",
      "/api/claude-code/sessions/{sessionId}/prompts", "/api/claude-code/sessions/{sessionId}/prompts/{promptId}",
    ]));
    expect(Object.keys(openapi.paths["/api/claude-code/sessions/{sessionId}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    const docs = await fetch(`${base}/docs`, { redirect: "follow" });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger");
  });

  it("reports a request id it was given and errors that hide internals", async () => {
    const response = await fetch(`${base}/api/claude-code/sessions/${randomUUID()}`, { headers: { ...t.auth, "x-request-id": "phone-req-1" } });
    expect(response.headers.get("x-request-id")).toBe("phone-req-1");
    expect(await response.json()).toMatchObject({ requestId: "phone-req-1", code: "session_not_found" });
  });
});
