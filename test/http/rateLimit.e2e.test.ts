import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, PROBLEM_TYPE, type TestApp } from "./support.ts";

let t: TestApp;
let sessionId: string;
let created: string;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PROMPTS: "2", RATE_LIMIT_READS: "4", RATE_LIMIT_WRITES: "3", RATE_LIMIT_WINDOW_MS: "60000" });
  const session = (await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" } })).json();
  sessionId = session.id;
  created = session.position;
});
afterAll(async () => t.close());

const sendPrompt = (headers: Record<string, string>) =>
  t.app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}/prompts`, headers, payload: { prompt: "go" } });
const readSession = (headers: Record<string, string>) =>
  t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}?minPosition=${encodeURIComponent(created)}`, headers });

describe("rate limits per token, in Redis", () => {
  it("limits prompt POSTs more strictly than reads, answering 429 with Retry-After", async () => {
    expect((await sendPrompt(t.auth)).statusCode).toBe(202);
    expect((await sendPrompt(t.auth)).statusCode).toBe(202);
    const limited = await sendPrompt(t.auth);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["content-type"]).toBe(PROBLEM_TYPE);
    expect(limited.json()).toMatchObject({ code: "rate_limited", status: 429 });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(60);
    // Reads have their own, larger budget.
    for (let index = 0; index < 4; index += 1) expect((await readSession(t.auth)).statusCode).toBe(200);
    expect((await readSession(t.auth)).statusCode).toBe(429);
  });

  it("counts each token on its own", async () => {
    const { token } = await t.tokens.create("second-phone");
    const other = { authorization: `Bearer ${token}` };
    expect((await sendPrompt(other)).statusCode).toBe(202);
    expect((await readSession(other)).statusCode).toBe(200);
    expect((await sendPrompt(t.auth)).statusCode).toBe(429);
  });

  it("keeps the counters in Redis under the key prefix, shared by every api process", async () => {
    const keys = await t.redis.keys(`${t.prefix}ratelimit:*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
  });

  it("never limits the probes", async () => {
    for (let index = 0; index < 10; index += 1) expect((await t.app.inject({ method: "GET", url: "/live" })).statusCode).toBe(200);
  });
});
