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

describe("a limit class is one budget per token across all its routes", () => {
  let c: TestApp;
  let id: string;
  beforeAll(async () => {
    c = await createTestApp({ RATE_LIMIT_WRITES: "20", RATE_LIMIT_READS: "6", RATE_LIMIT_PROMPTS: "100", RATE_LIMIT_WINDOW_MS: "60000" });
  });
  afterAll(async () => c.close());

  const create = () => c.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: c.auth, payload: { folderName: "alpha" } });
  const patch = (id: string) => c.app.inject({ method: "PATCH", url: `/api/claude-code/sessions/${id}`, headers: c.auth, payload: { context: "x" } });

  it("15 creates and 15 PATCHes under a writes limit of 20: 20 accepted, 10 refused 429 with Retry-After", async () => {
    const first = await create();
    expect(first.statusCode).toBe(201);
    id = first.json().id;
    const answers = [first];
    for (let index = 0; index < 15; index += 1) {
      answers.push(await patch(id));
      if (index < 14) answers.push(await create());
    }
    const accepted = answers.filter((answer) => answer.statusCode === 200 || answer.statusCode === 201);
    const refused = answers.filter((answer) => answer.statusCode === 429);
    expect(answers).toHaveLength(30);
    expect(accepted).toHaveLength(20);
    expect(refused).toHaveLength(10);
    // Both routes ran into the same budget, not each into its own.
    expect(new Set(refused.map((answer) => answer.json().instance))).toEqual(new Set(["/api/claude-code/sessions", `/api/claude-code/sessions/${id}`]));
    for (const answer of refused) {
      expect(answer.headers["content-type"]).toBe(PROBLEM_TYPE);
      expect(answer.json()).toMatchObject({ code: "rate_limited", status: 429 });
      expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
    }
    // DELETE is a write too; reads and prompts keep their own budgets.
    expect((await c.app.inject({ method: "DELETE", url: `/api/claude-code/sessions/${id}`, headers: c.auth })).statusCode).toBe(429);
    expect((await c.app.inject({ method: "GET", url: `/api/claude-code/sessions/${id}`, headers: c.auth })).statusCode).toBe(200);
    const prompt = await c.app.inject({ method: "POST", url: `/api/claude-code/sessions/${id}/prompts`, headers: c.auth, payload: { prompt: "go" } });
    expect(prompt.statusCode).toBe(202);
  });

  it("reads on different routes share the reads budget, the live stream included", async () => {
    const { token } = await c.tokens.create("reader");
    const headers = { authorization: `Bearer ${token}` };
    const reads = [
      ["GET", "/api/claude-code/sessions"],
      ["GET", "/api/claude-code/history/projects"],
      ["HEAD", `/api/claude-code/sessions/${id}/stream`],
    ] as const;
    const statuses: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (const [method, url] of reads) statuses.push((await c.app.inject({ method, url, headers })).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429]);
  });
});
