import { randomUUID } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, PROBLEM_TYPE, TEST_TOKEN, type TestApp } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  symlinkSync("/etc", join(t.root, "etc-link"));
  symlinkSync(join(t.root, "alpha"), join(t.root, "alpha-link"));
  mkdirSync(`${t.root}-evil`);
  symlinkSync(`${t.root}-evil`, join(t.root, "sibling-link"));
  writeFileSync(join(t.root, "a-file"), "not a folder");
});
afterAll(async () => t.close());

const createSession = (payload: object, headers: Record<string, string> = t.auth) =>
  t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers, payload });

describe("bearer tokens", () => {
  const sessionId = randomUUID();
  const promptId = randomUUID();
  const routes: Array<[string, string]> = [
    ["POST", "/api/claude-code/sessions"],
    ["GET", "/api/claude-code/sessions"],
    ["GET", `/api/claude-code/sessions/${sessionId}`],
    ["PATCH", `/api/claude-code/sessions/${sessionId}`],
    ["DELETE", `/api/claude-code/sessions/${sessionId}`],
    ["POST", `/api/claude-code/sessions/${sessionId}/prompts`],
    ["GET", `/api/claude-code/sessions/${sessionId}/prompts`],
    ["GET", `/api/claude-code/sessions/${sessionId}/prompts/${promptId}`],
    ["DELETE", `/api/claude-code/sessions/${sessionId}/prompts/${promptId}`],
  ];
  const badHeaders: Array<[string, Record<string, string>]> = [
    ["no Authorization header", {}],
    ["a Basic scheme", { authorization: "Basic dXNlcjpwYXNz" }],
    ["an empty bearer", { authorization: "Bearer " }],
    ["an unknown token", { authorization: "Bearer not-the-token-0123456789" }],
    ["the token with a suffix", { authorization: `Bearer ${TEST_TOKEN}x` }],
    ["the token in upper case", { authorization: `Bearer ${TEST_TOKEN.toUpperCase()}` }],
  ];

  it.each(routes)("%s %s refuses every bad credential with 401 unauthorised", async (method, url) => {
    for (const [, headers] of badHeaders) {
      const withBody = method === "POST" || method === "PATCH";
      const response = await t.app.inject({ method: method as "GET", url, headers, ...(withBody ? { payload: { prompt: "x" } } : {}) });
      expect(response.statusCode).toBe(401);
      expect(response.headers["content-type"]).toBe(PROBLEM_TYPE);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
      expect(response.json()).toMatchObject({ code: "unauthorised", status: 401 });
    }
  });

  it("serves the probes and the API description without a token", async () => {
    for (const url of ["/health", "/live", "/ready", "/openapi.json", "/docs"]) {
      const response = await t.app.inject({ method: "GET", url });
      expect([200, 302]).toContain(response.statusCode);
    }
    const health = (await t.app.inject({ method: "GET", url: "/health" })).json();
    expect(health).toMatchObject({ status: "ok", services: { redis: "up", database: "up" }, version: "test" });
  });

  it("accepts a token made with the token store, records its name as actor, and refuses it once revoked", async () => {
    const { token } = await t.tokens.create(`phone-${randomUUID().slice(0, 8)}`);
    const headers = { authorization: `Bearer ${token}` };
    const created = await createSession({ folderName: "alpha" }, headers);
    expect(created.statusCode).toBe(201);
    const [event] = (await t.store.readSession(created.json().id)).events;
    expect(event?.meta.actor).toMatch(/^phone-/);
    await t.tokens.revoke(event?.meta.actor ?? "");
    expect((await createSession({ folderName: "alpha" }, headers)).statusCode).toBe(401);
  });
});

describe("project paths stay inside GITHUB_REPOS_DIRECTORY", () => {
  const refused = (status: number, code: string) => async (payload: object) => {
    const response = await createSession(payload);
    expect(response.statusCode).toBe(status);
    expect(response.headers["content-type"]).toBe(PROBLEM_TYPE);
    expect(response.json().code).toBe(code);
    expect(response.json().detail).toBeTruthy();
  };

  it.each([
    ["a folderName climbing out with ..", { folderName: "../etc" }],
    ["a folderName climbing out through a subfolder", { folderName: "alpha/../../.." }],
    ["a backslash traversal", { folderName: "..\\..\\etc" }],
    ["a projectPath with ..", { projectPath: "/tmp/../etc" }],
    ["a projectPath inside the root with ..", { projectPath: "ROOT/alpha/../beta" }],
  ])("refuses %s with 403 forbidden_path", async (_name, payload) => {
    const fixed = Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, value.replace("ROOT", t.root)]));
    await refused(403, "forbidden_path")(fixed);
  });

  it.each([
    ["a symlink to /etc", () => ({ folderName: "etc-link" })],
    ["a symlink to a sibling folder sharing the root's name as prefix", () => ({ folderName: "sibling-link" })],
    ["an absolute path outside", () => ({ projectPath: "/etc" })],
    ["the sibling folder itself", () => ({ projectPath: `${t.root}-evil` })],
    ["the repositories folder itself", () => ({ projectPath: t.root })],
    ["a symlink to /etc given as projectPath", () => ({ projectPath: join(t.root, "etc-link") })],
  ])("refuses %s with 403 forbidden_path", async (_name, payload) => {
    await refused(403, "forbidden_path")(payload());
  });

  it.each([
    ["a NUL byte", { folderName: "alpha\u0000/../../etc" }],
    ["a NUL byte at the end", { folderName: "alpha\u0000" }],
    ["a NUL byte in projectPath", { projectPath: "/tmp\u0000" }],
  ])("refuses %s with 400 validation_failed, as a NUL anywhere in a request", async (_name, payload) => {
    await refused(400, "validation_failed")(payload);
  });

  it.each([
    ["a relative projectPath", { projectPath: "alpha" }],
    ["an absolute folderName", { folderName: "/etc" }],
    ["a blank folderName", { folderName: "   " }],
  ])("refuses %s with 400 invalid_path", async (_name, payload) => {
    await refused(400, "invalid_path")(payload);
  });

  it.each([
    ["a missing folder", { folderName: "does-not-exist" }],
    ["URL-encoded dots (taken literally)", { folderName: "%2e%2e%2fetc" }],
    ["double-encoded dots", { folderName: "%252e%252e%252fetc" }],
    ["full-width dots", { folderName: "\uff0e\uff0e/etc" }],
    ["a file, not a folder", { folderName: "a-file" }],
  ])("refuses %s with 400 path_not_found", async (_name, payload) => {
    await refused(400, "path_not_found")(payload);
  });

  it("follows a symlink that stays inside and stores the physical path", async () => {
    const response = await createSession({ folderName: "alpha-link" });
    expect(response.statusCode).toBe(201);
    expect(response.json().projectPath).toBe(join(t.root, "alpha"));
  });

  it("refuses traversal in the URL before any handler runs", async () => {
    for (const url of ["/api/claude-code/sessions/..%2F..%2Fetc%2Fpasswd", "/api/claude-code/sessions/%00"]) {
      const response = await t.app.inject({ method: "GET", url, headers: t.auth });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe("validation_failed");
    }
  });
});
