import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, PROBLEM_TYPE, type TestApp } from "./support.ts";

const fixtures = join(import.meta.dirname, "../../../shared/fixtures/claude-code/generated/cli-2.1.331/projects");
const resumed = "d46c78b5-542d-408f-9326-a192e7bdae56";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  cpSync(fixtures, join(t.config.CLAUDE_CONFIG_DIR, "projects"), { recursive: true });
  await t.history?.scan();
});
afterAll(async () => t.close());

describe("history routes through the app", () => {
  it("need a token", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/claude-code/history/projects" });
    expect(response.statusCode).toBe(401);
    expect(response.headers["content-type"]).toBe(PROBLEM_TYPE);
  });

  it("list projects by their real cwd and the sessions of one", async () => {
    const projects = (await t.app.inject({ method: "GET", url: "/api/claude-code/history/projects", headers: t.auth })).json();
    const paths = JSON.stringify(projects);
    expect(paths).toContain("/home/u/src/work-a");
    expect(paths).toContain("/home/u/src/My_Proj.v2 é");
    const sessions = await t.app.inject({
      method: "GET", url: `/api/claude-code/history/sessions?projectPath=${encodeURIComponent("/home/u/src/work-a")}&limit=50`, headers: t.auth,
    });
    expect(sessions.statusCode).toBe(200);
    expect(JSON.stringify(sessions.json())).toContain(resumed);
  });

  it("serve a resumed session's metadata and a page of its messages", async () => {
    const meta = await t.app.inject({ method: "GET", url: `/api/claude-code/history/sessions/${resumed}`, headers: t.auth });
    expect(meta.statusCode).toBe(200);
    expect(meta.json()).toMatchObject({ projectPath: "/home/u/src/work-a" });
    const page = await t.app.inject({ method: "GET", url: `/api/claude-code/history/sessions/${resumed}/messages?limit=5&thread=main`, headers: t.auth });
    expect(page.statusCode).toBe(200);
    expect(page.json().messages.length).toBeGreaterThan(0);
    expect(page.json().messages.length).toBeLessThanOrEqual(5);
  });

  it("answer an unknown or malformed session id with problem+json", async () => {
    const missing = await t.app.inject({ method: "GET", url: "/api/claude-code/history/sessions/00000000-0000-0000-0000-000000000000", headers: t.auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("history_session_not_found");
    const bad = await t.app.inject({ method: "GET", url: "/api/claude-code/history/sessions/..%2F..%2Fetc", headers: t.auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toBe(PROBLEM_TYPE);
  });
});
