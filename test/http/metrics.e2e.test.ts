import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveMetrics } from "../../src/infra/metrics.ts";
import { freePort } from "../support/ccmProcess.ts";
import { openSse } from "../live/clients.ts";
import { assembleTest, listen, startTestService, testAuth, type TestService } from "../support/service.ts";

/** Prometheus metrics at GET /metrics: what an operator's scraper sees move. */
const fakeCli = new URL("../support/fakeClaude.mjs", import.meta.url).pathname;
let service: Awaited<ReturnType<typeof startTestService>>;
let second: TestService;
let url = "";

beforeAll(async () => {
  service = await startTestService({ roles: ["api", "projector", "runner"], config: { CLAUDE_CODE_PATH: fakeCli }, env: { PATH: process.env.PATH } });
  // A second service in the same process: each has its own registry, nothing collides.
  second = await assembleTest(service.clients, { roles: ["api"] });
  ({ url } = await listen(service.app));
}, 60_000);
afterAll(async () => {
  await second?.stop();
  await service?.close();
});

const scrape = async (headers: Record<string, string> = testAuth) => {
  const response = await fetch(`${url}/metrics`, { headers });
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
};

/** The value of one sample, e.g. `ccm_jobs_total{outcome="completed"}`; 0 when absent. */
const sample = (text: string, name: string, labels: Record<string, string> = {}) => {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split("\n").find((row) => row.startsWith(`${name}{`) || row.startsWith(`${name} `) ? wanted.every((label) => row.includes(label)) : false);
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
};

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, { method, headers: { ...testAuth, "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return (await response.json()) as Record<string, unknown>;
};

describe("GET /metrics", () => {
  it("needs an admin token: 401 without one, 403 for a phone's", async () => {
    expect((await scrape({})).status).toBe(401);
    const { token } = (await call("POST", "/api/admin/tokens", { name: "phone", scope: "mobile" })) as { token: string };
    expect((await scrape({ authorization: `Bearer ${token}` })).status).toBe(403);
  });

  it("serves process metrics and every ccm family in the Prometheus text format", async () => {
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const family of [
      "process_cpu_user_seconds_total", "nodejs_eventloop_lag_seconds", "http_request_duration_seconds", "ccm_events_appended_total",
      "ccm_append_duration_seconds", "ccm_projection_lag_events", "ccm_jobs_total", "ccm_job_duration_seconds", "ccm_live_connections", "ccm_live_resumes_total",
    ]) expect(text).toContain(`# TYPE ${family} `);
    expect(text).toMatch(/^ccm_projection_lag_events\{projection="sessions"\} \d+$/m);
  });

  it("counters move after a prompt: events appended by type, the job's outcome and duration, the request by route", async () => {
    const before = (await scrape()).text;
    const session = await call("POST", "/api/claude-code/sessions", { folderName: "alpha" });
    await call("POST", `/api/claude-code/sessions/${String(session.id)}/prompts`, { prompt: "hello" });
    const deadline = Date.now() + 20_000;
    let text = before;
    while (sample(text, "ccm_jobs_total", { outcome: "completed" }) === sample(before, "ccm_jobs_total", { outcome: "completed" })) {
      if (Date.now() > deadline) throw new Error("the job did not complete");
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = (await scrape()).text;
    }
    const moved = (name: string, labels: Record<string, string>) => sample(text, name, labels) - sample(before, name, labels);
    expect(moved("ccm_events_appended_total", { type: "PromptEnqueued" })).toBe(1);
    expect(moved("ccm_events_appended_total", { type: "JobCompleted" })).toBe(1);
    expect(moved("ccm_events_appended_total", { type: "RunnerEventEmitted" })).toBeGreaterThanOrEqual(1);
    expect(moved("ccm_append_duration_seconds_count", {})).toBeGreaterThanOrEqual(4);
    expect(moved("ccm_jobs_total", { outcome: "completed" })).toBe(1);
    expect(moved("ccm_job_duration_seconds_count", { outcome: "completed" })).toBe(1);
    expect(moved("http_request_duration_seconds_count", { method: "POST", route: "/api/claude-code/sessions/:sessionId/prompts", status_code: "202" })).toBe(1);
  });

  it("counts open live streams by transport and resumes by source", async () => {
    const session = await call("POST", "/api/claude-code/sessions", { folderName: "beta" });
    const before = (await scrape()).text;
    const client = await openSse(`${url}/api/claude-code/sessions/${String(session.id)}/stream?after=0`, testAuth);
    await client.waitFor((received) => received.some((item) => item.kind === "event"));
    const open = (await scrape()).text;
    expect(sample(open, "ccm_live_connections", { transport: "sse" })).toBe(1);
    expect(sample(open, "ccm_live_resumes_total", { source: "redis" }) - sample(before, "ccm_live_resumes_total", { source: "redis" })).toBe(1);
    client.close();
    const deadline = Date.now() + 5000;
    while (sample((await scrape()).text, "ccm_live_connections", { transport: "sse" }) !== 0) {
      if (Date.now() > deadline) throw new Error("the closed stream is still counted");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it("METRICS_PORT serves /metrics without a token, on loopback only", async () => {
    const port = await freePort();
    const listener = await serveMetrics(service.metrics, port);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("# TYPE ccm_jobs_total counter");
      expect((await fetch(`http://127.0.0.1:${port}/api/claude-code/sessions`)).status).toBe(404);
    } finally {
      await listener.close();
    }
  });
});
