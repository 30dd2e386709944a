import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTokenCommand } from "../../src/cli/token.ts";
import { createAuditApp, type AuditApp } from "./support.ts";

let t: AuditApp;
beforeAll(async () => {
  t = await createAuditApp();
});
afterAll(async () => {
  await t.close();
});

type Who = "mobile" | "auditor" | "admin" | "bootstrap";

/** The rules, written out independently of the implementation's table. */
const expectedAllowed = (who: Who, method: string, url: string): boolean => {
  // GET /metrics is for operators: it needs an admin token too.
  const admin = url.startsWith("/api/admin") || url === "/metrics";
  const audit = url.startsWith("/api/audit");
  const read = method === "GET" || method === "HEAD";
  if (who === "admin" || who === "bootstrap") return true;
  if (who === "mobile") return !admin && !audit;
  return !admin && (audit || read);
};

const send = (method: string, url: string, headers: Record<string, string>) => {
  const options: InjectOptions = { method: method as NonNullable<InjectOptions["method"]>, url: url.replace(/:\w+/g, "not-a-valid-id"), headers };
  return t.app.inject(method === "GET" || method === "HEAD" ? options : { ...options, payload: {} });
};

describe("token scopes on every route", () => {
  it("knows the routes it guards: session commands, reads and the audit routes", () => {
    const routes = t.app.routeAccess.map((route) => `${route.method} ${route.url}`);
    const expected = [
      "POST /api/claude-code/sessions", "GET /api/claude-code/sessions/:sessionId", "GET /api/audit/events", "GET /api/audit/sessions/:sessionId/verify",
      "GET /api/audit/export", "GET /api/admin/tokens", "POST /api/admin/tokens", "DELETE /api/admin/tokens/:name",
    ];
    for (const route of expected) {
      expect(routes).toContain(route);
    }
  });

  it("allows or denies every scope/route pair as specified, and denies with 403 insufficient_scope", async () => {
    const guarded = t.app.routeAccess.filter((route) => route.access !== "public");
    expect(guarded.length).toBeGreaterThan(10);
    for (const route of guarded) {
      for (const who of ["mobile", "auditor", "admin", "bootstrap"] as const) {
        const response = await send(route.method, route.url, t.as[who]);
        const denied = response.statusCode === 403 && (route.method === "HEAD" || response.json<{ code: string }>().code === "insufficient_scope");
        expect(denied, `${who} ${route.method} ${route.url} → ${response.statusCode}`).toBe(!expectedAllowed(who, route.method, route.url));
        expect(response.statusCode, `${who} ${route.method} ${route.url}`).not.toBe(401);
      }
    }
  });

  it("public routes need no token at all", async () => {
    for (const url of ["/live", "/openapi.json"]) expect((await t.app.inject({ method: "GET", url })).statusCode).toBe(200);
  });
});

describe("a scope violation", () => {
  it("is a problem with a clear code and detail, and a warning in the log naming actor and route but never the token", async () => {
    const token = t.as.auditor.authorization.slice("Bearer ".length);
    const response = await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.as.auditor, payload: { folderName: "alpha" } });
    expect(response.statusCode).toBe(403);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    const body = response.json<{ code: string; detail: string; details: { scope: string; needs: string } }>();
    expect(body.code).toBe("insufficient_scope");
    expect(body.detail).toMatch(/auditor token auditor-user may not POST \/api\/claude-code\/sessions/);
    expect(body.details).toEqual({ scope: "auditor", needs: "command" });
    expect(response.headers["www-authenticate"]).toContain('error="insufficient_scope"');
    const warning = t.logs.lines.find((line) => line.msg === "auth: scope violation" && line.route === "/api/claude-code/sessions");
    expect(warning).toMatchObject({ level: 40, actor: "auditor-user", scope: "auditor", needs: "command", method: "POST" });
    expect(JSON.stringify(t.logs.lines)).not.toContain(token);
  });

  it("changes nothing: the auditor's command was not carried out", async () => {
    const list = await t.app.inject({ method: "GET", url: "/api/claude-code/sessions?includeUnlinked=true", headers: t.as.auditor });
    expect(list.json<{ total: number }>().total).toBe(0);
  });

  it("a mobile token may run commands but not read the audit routes", async () => {
    const created = await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.as.mobile, payload: { folderName: "alpha" } });
    expect(created.statusCode).toBe(201);
    const audit = await t.app.inject({ method: "GET", url: "/api/audit/events", headers: t.as.mobile });
    expect(audit.statusCode).toBe(403);
    expect(audit.json<{ details: { needs: string } }>().details.needs).toBe("audit");
  });
});

describe("/api/admin/tokens (admin only)", () => {
  it("creates a scoped token that works within its scope, lists it, and revokes it", async () => {
    const created = await t.app.inject({ method: "POST", url: "/api/admin/tokens", headers: t.as.admin, payload: { name: "auditor-2", scope: "auditor" } });
    expect(created.statusCode).toBe(201);
    const { token, scope } = created.json<{ token: string; scope: string }>();
    expect(scope).toBe("auditor");
    const headers = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: "GET", url: "/api/audit/events", headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers, payload: { folderName: "alpha" } })).statusCode).toBe(403);
    const listed = await t.app.inject({ method: "GET", url: "/api/admin/tokens", headers: t.as.bootstrap });
    expect(listed.json<{ tokens: { name: string; scope: string }[] }>().tokens).toContainEqual(expect.objectContaining({ name: "auditor-2", scope: "auditor" }));
    expect(listed.body).not.toContain(token);
    const again = await t.app.inject({ method: "POST", url: "/api/admin/tokens", headers: t.as.admin, payload: { name: "auditor-2" } });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ code: string }>().code).toBe("already_exists");
    expect((await t.app.inject({ method: "DELETE", url: "/api/admin/tokens/auditor-2", headers: t.as.admin })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/api/audit/events", headers })).statusCode).toBe(401);
  });
});

describe("ccm token create --scope", () => {
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runTokenCommand(t.tokens, args, (line) => out.push(line), (line) => err.push(line));
    return { code, out, err };
  };

  it("makes a token of that scope, lists the scope, and refuses an unknown scope", async () => {
    const created = await run("create", "inspector", "--scope", "auditor");
    expect(created.code).toBe(0);
    expect(await t.tokens.verify(created.out[0] ?? "")).toEqual({ name: "inspector", scope: "auditor" });
    expect((await run("create", "phone-2")).code).toBe(0);
    const listed = (await run("list")).out;
    expect(listed.find((line) => line.startsWith("inspector\t"))).toMatch(/^inspector\tauditor\t/);
    expect(listed.find((line) => line.startsWith("phone-2\t"))).toMatch(/^phone-2\tmobile\t/);
    const bad = await run("create", "x", "--scope", "root");
    expect(bad.code).toBe(2);
    expect(bad.err.join("\n")).toMatch(/unknown scope root/);
  });

  it("a token stored before scopes existed reads as mobile", async () => {
    const { hashToken } = await import("../../src/auth/tokens.ts");
    await t.redis.hset(`${t.prefix}tokens`, hashToken("legacy-token-0123456789"), JSON.stringify({ name: "legacy", createdAt: "2024-01-01T00:00:00.000Z", fingerprint: "abc" }));
    expect(await t.tokens.verify("legacy-token-0123456789")).toEqual({ name: "legacy", scope: "mobile" });
  });
});
