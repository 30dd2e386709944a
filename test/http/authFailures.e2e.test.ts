import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWs } from "../live/clients.ts";
import { assembleTest, listen } from "../support/service.ts";
import { createTestApp, PROBLEM_TYPE, type TestApp } from "./support.ts";

const MAX_FAILURES = 5;
const bad = { authorization: "Bearer not-a-token-0123456789" };

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_AUTH_FAILURES: String(MAX_FAILURES), RATE_LIMIT_WINDOW_MS: "60000" });
});
afterAll(async () => t.close());

/** A GET from a given client address (inject sets the socket's remote address). */
const list = (remoteAddress: string, headers: Record<string, string>, app = t.app) =>
  app.inject({ method: "GET", url: "/api/claude-code/sessions", headers, remoteAddress });

const expectBlocked = (response: Awaited<ReturnType<typeof list>>) => {
  expect(response.statusCode).toBe(429);
  expect(response.headers["content-type"]).toBe(PROBLEM_TYPE);
  expect(response.json()).toMatchObject({ code: "rate_limited", status: 429 });
  const retryAfter = Number(response.headers["retry-after"]);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
};

describe("repeated failed authentication from one address", () => {
  it("answers 401 up to the limit, then 429 with Retry-After, even to the right token", async () => {
    for (let index = 0; index < MAX_FAILURES; index += 1) {
      const response = await list("10.0.0.1", index % 2 === 0 ? bad : {});
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
    }
    expectBlocked(await list("10.0.0.1", bad));
    // The answer no longer depends on the token: a guess that happens to be right learns nothing.
    expectBlocked(await list("10.0.0.1", t.auth));
    expectBlocked(await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" }, remoteAddress: "10.0.0.1" }));
  });

  it("leaves other addresses alone: their good tokens work and their failures count on their own", async () => {
    expect((await list("10.0.0.2", t.auth)).statusCode).toBe(200);
    for (let index = 0; index < MAX_FAILURES; index += 1) expect((await list("10.0.0.2", bad)).statusCode).toBe(401);
    expectBlocked(await list("10.0.0.2", bad));
    expect((await list("10.0.0.3", t.auth)).statusCode).toBe(200);
  });

  it("never counts a valid token, nor a valid token outside its scope", async () => {
    const { token } = await t.tokens.create("auditor-phone", { scope: "auditor" });
    for (let index = 0; index < MAX_FAILURES * 3; index += 1) expect((await list("10.0.0.4", t.auth)).statusCode).toBe(200);
    for (let index = 0; index < MAX_FAILURES * 2; index += 1) {
      const response = await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: { authorization: `Bearer ${token}` }, payload: { folderName: "alpha" }, remoteAddress: "10.0.0.4" });
      expect(response.json().code).toBe("insufficient_scope");
    }
    expect((await list("10.0.0.4", bad)).statusCode).toBe(401);
  });

  it("is counted in Redis: another api process of the deployment refuses the same address", async () => {
    const other = await assembleTest(t.clients, { roles: ["api"], config: { RATE_LIMIT_AUTH_FAILURES: String(MAX_FAILURES) } });
    try {
      expectBlocked(await list("10.0.0.1", t.auth, other.app));
      expect((await list("10.0.0.5", t.auth, other.app)).statusCode).toBe(200);
    } finally {
      await other.stop();
    }
  });

  it("closes a WebSocket whose first message authenticates from a blocked address with 4429 rate_limited", async () => {
    const session = (await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" } })).json();
    const { port } = await listen(t.app);
    const url = `ws://127.0.0.1:${port}/api/claude-code/sessions/${session.id}/ws?after=0`;
    const refused = await openWs(url, { hello: { token: "wrong-token-0123456789" } });
    await refused.closed;
    expect(refused.closeCode()).toBe(4401);
    for (let index = 1; index < MAX_FAILURES; index += 1) expect((await list("127.0.0.1", bad)).statusCode).toBe(401);
    const blocked = await openWs(url, { hello: { token: "test-token-0123456789abcdef" } });
    await blocked.closed;
    expect([blocked.closeCode(), blocked.closeReason()]).toEqual([4429, "rate_limited"]);
    // The header path is an HTTP answer before the upgrade: 429 as well.
    expectBlocked(await t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${session.id}/stream`, headers: t.auth }));
  });
});

describe("the failed-authentication window", () => {
  it("lets the address in again once its window has ended", async () => {
    const short = await createTestApp({ RATE_LIMIT_AUTH_FAILURES: "2", RATE_LIMIT_WINDOW_MS: "400" });
    try {
      const at = (headers: Record<string, string>) => list("10.1.0.1", headers, short.app);
      expect((await at(bad)).statusCode).toBe(401);
      expect((await at(bad)).statusCode).toBe(401);
      expect((await at(short.auth)).statusCode).toBe(429);
      const deadline = Date.now() + 3000;
      let status = 429;
      while (status === 429 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await at(short.auth)).statusCode;
      }
      expect(status).toBe(200);
    } finally {
      await short.close();
    }
  });
});
