import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../support/service.ts";
import { sendRaw, type RawAnswer } from "./rawHttp.ts";
import { createTestApp, PROBLEM_TYPE, TEST_TOKEN, type TestApp } from "./support.ts";

let t: TestApp;
let port: number;
let sessionId: string;
beforeAll(async () => {
  t = await createTestApp();
  port = (await listen(t.app)).port;
  sessionId = (await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" } })).json().id;
});
afterAll(async () => t.close());

type Answer = { statusCode: number; headers: Record<string, unknown>; body: string };

/** A problem answer: the status, our content type, a code, and the request id in header and body. */
const expectProblem = (answer: Answer, status: number, code: string) => {
  expect(answer.statusCode, answer.body).toBe(status);
  expect(answer.headers["content-type"]).toBe(PROBLEM_TYPE);
  const problem = JSON.parse(answer.body) as { code: string; status: number; requestId: string };
  expect(problem).toMatchObject({ code, status });
  expect(answer.headers["x-request-id"]).toBe(problem.requestId);
  return problem;
};

const get = (url: string, headers: Record<string, string> = t.auth) => t.app.inject({ method: "GET", url, headers });

/** The answer to a raw request, which must come. */
const raw = async (text: string): Promise<Answer> => {
  const outcome = await sendRaw(port, text);
  if (outcome.kind !== "answer") throw new Error(`no answer (${outcome.kind}) to ${JSON.stringify(text.slice(0, 80))}`);
  const { status, headers, body }: RawAnswer = outcome.answer;
  return { statusCode: status, headers, body };
};
const line = (requestLine: string, headers = "") => `${requestLine}\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n${headers}Connection: close\r\n\r\n`;

describe("NUL characters are refused with 400 before they reach Postgres", () => {
  it.each([
    ["an audit event id", "/api/audit/events/%00"],
    ["an audit event id ending in NUL", "/api/audit/events/abc%00"],
    ["the history projectPath", "/api/claude-code/history/sessions?projectPath=%00"],
    ["an audit filter", "/api/audit/events?actor=a%00b"],
    ["a query key", "/api/claude-code/sessions?x%00=1"],
  ])("in %s", async (_name, url) => {
    expectProblem(await get(url), 400, "validation_failed");
  });

  it("in a body, at any depth, and in a key", async () => {
    const bodies = [{ folderName: "alpha", metadata: { deep: [{ x: "a\u0000" }] } }, { folderName: "alpha", metadata: { "k\u0000": 1 } }];
    for (const payload of bodies) {
      const answer = await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload });
      expect(expectProblem(answer, 400, "validation_failed")).toMatchObject({ detail: expect.stringContaining("NUL") });
    }
    const prompt = await t.app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}/prompts`, headers: t.auth, payload: { prompt: "hi", projectPath: "/x\u0000" } });
    expectProblem(prompt, 400, "validation_failed");
  });

  it("and so are bodies nested deeper than anything we store", async () => {
    const payload = JSON.stringify({ folderName: "alpha", metadata: { a: JSON.parse(`${"[".repeat(100)}${"]".repeat(100)}`) } });
    const answer = await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: { ...t.auth, "content-type": "application/json" }, payload });
    expect(expectProblem(answer, 400, "validation_failed")).toMatchObject({ detail: expect.stringContaining("nest") });
  });
});

describe("what the router refuses is a problem too", () => {
  it("a path parameter over 500 characters: 414 uri_too_long", async () => {
    expectProblem(await get(`/api/claude-code/sessions/${"a".repeat(600)}`), 414, "uri_too_long");
    expectProblem(await get(`/api/audit/events/${"%41".repeat(600)}`), 414, "uri_too_long");
  });

  it("malformed percent-encoding in the path: 400 bad_request", async () => {
    for (const url of ["/api/claude-code/sessions/%E0%A4%A", "/api/claude-code/sessions/%zz", "/api/audit/events/%"]) {
      expectProblem(await get(url), 400, "bad_request");
    }
  });

  it("a known path with a method it lacks: 405 with Allow; an unknown path: 404", async () => {
    for (const method of ["PUT", "OPTIONS", "PATCH"] as const) {
      const answer = await t.app.inject({ method, url: "/api/claude-code/sessions", headers: t.auth });
      expectProblem(answer, 405, "method_not_allowed");
      expect(answer.headers.allow).toBe("GET, HEAD, POST");
    }
    const byId = await t.app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}`, headers: t.auth });
    expect(byId.headers.allow).toBe("DELETE, GET, HEAD, PATCH");
    expectProblem(await get("/api/claude-code/nothing-here"), 404, "not_found");
    expectProblem(await get("/docs/static/no-such-file.js"), 404, "not_found");
  });
});

describe("the live routes answer every plain HTTP request", () => {
  it("a plain GET on the WebSocket route: 426 upgrade_required with Upgrade: websocket", async () => {
    for (const headers of [t.auth, {}]) {
      const answer = await get(`/api/claude-code/sessions/${sessionId}/ws`, headers);
      expectProblem(answer, 426, "upgrade_required");
      expect(answer.headers.upgrade).toBe("websocket");
    }
    expect((await t.app.inject({ method: "HEAD", url: `/api/claude-code/sessions/${sessionId}/ws` })).statusCode).toBe(426);
  });

  it("HEAD on the SSE stream completes with GET's headers and no body", async () => {
    const head = await t.app.inject({ method: "HEAD", url: `/api/claude-code/sessions/${sessionId}/stream`, headers: t.auth });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
    const streamed = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const request = httpRequest(`http://127.0.0.1:${port}/api/claude-code/sessions/${sessionId}/stream`, { headers: t.auth }, (response) => {
        resolve(response.headers);
        request.destroy();
      });
      request.on("error", reject);
      request.end();
    });
    for (const name of ["content-type", "cache-control", "x-accel-buffering"]) expect(head.headers[name]).toBe(streamed[name]);
    expect(head.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    // The same checks as GET: unknown sessions and missing tokens.
    expect((await t.app.inject({ method: "HEAD", url: `/api/claude-code/sessions/${crypto.randomUUID()}/stream`, headers: t.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "HEAD", url: `/api/claude-code/sessions/${sessionId}/stream` })).statusCode).toBe(401);
  });
});

describe("requests Node itself refuses get a problem written on the socket", () => {
  it.each([
    ["a garbage request line", "GARBAGE\r\n\r\n", 400, "bad_request"],
    ["a space in the target", line("GET /api/claude-code/sessions /x HTTP/1.1"), 400, "bad_request"],
    ["a header with no colon", line("GET /api/claude-code/sessions HTTP/1.1", "NoColonHere\r\n"), 400, "bad_request"],
    ["a NUL byte in a header", line("GET /api/claude-code/sessions HTTP/1.1", "X-Evil: a\u0000b\r\n"), 400, "bad_request"],
    ["an unknown HTTP version", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400, "bad_request"],
    ["two Content-Lengths that disagree", line("POST /api/claude-code/sessions HTTP/1.1", "Content-Length: 2\r\nContent-Length: 3\r\n"), 400, "bad_request"],
    ["headers over 16 KiB", line("GET /api/claude-code/sessions HTTP/1.1", `X-Big: ${"a".repeat(20_000)}\r\n`), 431, "headers_too_large"],
    ["an Expect other than 100-continue", line("POST /api/claude-code/sessions HTTP/1.1", "Expect: teapot\r\nContent-Length: 2\r\n"), 417, "expectation_failed"],
    ["CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405, "method_not_allowed"],
    ["HTTP/1.1 without Host", line("GET /api/claude-code/sessions HTTP/1.1").replace("Host: 127.0.0.1\r\n", ""), 400, "bad_request"],
  ])("%s", async (_name, text, status, code) => {
    expectProblem(await raw(text), status, code);
  });

  it("a WebSocket handshake that ws refuses: 400 bad_request", async () => {
    const path = `/api/claude-code/sessions/${sessionId}/ws`;
    expectProblem(await raw(line(`GET ${path} HTTP/1.1`, "Upgrade: websocket\r\nConnection: Upgrade\r\n").replace("Connection: close\r\n", "")), 400, "bad_request");
    expectProblem(await raw(line(`GET ${path} HTTP/1.1`, "Upgrade: h2c\r\nConnection: Upgrade\r\n").replace("Connection: close\r\n", "")), 400, "bad_request");
  });

  it("an upgrade request a normal route answers is answered, then its socket is closed", async () => {
    // curl --http2 asks for h2c like this; Node hands such a socket over for good, so no parser
    // would read a next request on it: the server must close it, not leave it open.
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    const closed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      socket.on("close", () => resolve(true)).on("close", () => clearTimeout(timer)).on("error", () => undefined);
    });
    socket.write(`GET /api/claude-code/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`);
    expect(await closed).toBe(true);
    socket.destroy();
    expect(data).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe("a request that never finishes arriving", () => {
  it("is answered 408 request_timeout within REQUEST_TIMEOUT_MS and a check interval, not held open", async () => {
    const slow = await createTestApp({ REQUEST_TIMEOUT_MS: "1000" });
    try {
      const { port: slowPort } = await listen(slow.app);
      const truncatedBody = line("POST /api/claude-code/sessions HTTP/1.1", "Content-Type: application/json\r\nContent-Length: 100\r\n") + '{"folderName":';
      const unfinishedHeaders = `GET /api/claude-code/sessions HTTP/1.1\r\nHost: x\r\nX-Still-Typing: `;
      for (const text of [truncatedBody, unfinishedHeaders]) {
        const started = Date.now();
        const outcome = await sendRaw(slowPort, text, 4000);
        if (outcome.kind !== "answer") throw new Error(`no answer (${outcome.kind})`);
        const { status, headers, body } = outcome.answer;
        expectProblem({ statusCode: status, headers, body }, 408, "request_timeout");
        expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      }
    } finally {
      await slow.close();
    }
  });
});
