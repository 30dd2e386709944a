import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleTest, startTestService, testAuth, type TestService } from "../support/service.ts";

/** A browser app on an allowed origin may call the API; any other origin gets no CORS grant. */
const allowed = "https://app.example.com";
let service: Awaited<ReturnType<typeof startTestService>>;
let closed: TestService;

beforeAll(async () => {
  service = await startTestService({ roles: ["api"], config: { CORS_ORIGINS: `${allowed}, http://localhost:8081` } });
  closed = await assembleTest(service.clients, { roles: ["api"] });
}, 60_000);
afterAll(async () => {
  await closed?.stop();
  await service?.close();
});

const preflight = (app: TestService["app"], origin: string) =>
  app!.inject({
    method: "OPTIONS", url: "/api/claude-code/sessions",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, idempotency-key" },
  });

describe("CORS", () => {
  it("answers a preflight from an allowed origin before authentication (it carries no token)", async () => {
    const response = await preflight(service.app, allowed);
    expect(response.statusCode).toBe(204);
    expect(response.headers["access-control-allow-origin"]).toBe(allowed);
    expect(String(response.headers["access-control-allow-methods"])).toContain("POST");
    expect(String(response.headers["access-control-allow-headers"])).toMatch(/authorization.*content-type.*idempotency-key/);
  });

  it("grants the allowed origin on the actual request and exposes the headers a client reads", async () => {
    const response = await service.app!.inject({ method: "GET", url: "/api/claude-code/sessions", headers: { ...testAuth, origin: allowed } });
    expect(response.statusCode).toBe(200);
    expect(response.headers["access-control-allow-origin"]).toBe(allowed);
    expect(String(response.headers["access-control-expose-headers"])).toContain("x-request-id");
  });

  it("gives any other origin no Access-Control-Allow-Origin, on preflights and requests", async () => {
    const other = "https://evil.example.net";
    expect((await preflight(service.app, other)).headers["access-control-allow-origin"]).toBeUndefined();
    const response = await service.app!.inject({ method: "GET", url: "/api/claude-code/sessions", headers: { ...testAuth, origin: other } });
    expect(response.statusCode).toBe(200);
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("with no CORS_ORIGINS (the default) grants no origin at all", async () => {
    const response = await preflight(closed.app, allowed);
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    expect(response.statusCode).toBe(401);
  });
});
