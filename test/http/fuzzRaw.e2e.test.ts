import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../support/service.ts";
import { sendRaw, type RawOutcome } from "./rawHttp.ts";
import { hostilePieces, rawRequestArb, type Known, type Route } from "./rawRequests.ts";
import { createTestApp, PROBLEM_TYPE, TEST_TOKEN, type TestApp } from "./support.ts";

/** Per request: longer than REQUEST_TIMEOUT_MS plus a check interval, so a request the server waits on still gets its 408. */
const ANSWER_WITHIN_MS = 5000;
const RANDOM_RUNS = 1200;

let t: TestApp;
let port: number;
let known: Known;
let routes: Route[];
beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: "65536", PROMPT_MAX_CHARS: "2000", READ_WAIT_MS: "20", REQUEST_TIMEOUT_MS: "2000" });
  port = (await listen(t.app)).port;
  const session = (await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" } })).json();
  const prompt = (await t.app.inject({ method: "POST", url: `/api/claude-code/sessions/${session.id}/prompts`, headers: t.auth, payload: { prompt: "seed" } })).json();
  const deletable = (await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "beta" } })).json();
  known = { sessionId: session.id, deletableSessionId: deletable.id, promptId: prompt.promptId, token: TEST_TOKEN };
  // Every route the app registered, HEAD twins included: a new route is fuzzed without editing this file.
  routes = t.app.routeAccess.map(({ method, url }) => ({ method, url }));
});
afterAll(async () => t.close());

const statuses = new Map<string, number>();
const tally = (outcome: RawOutcome) => {
  const key = outcome.kind === "answer" ? String(outcome.answer.status) : outcome.kind;
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
};

/** Why an outcome is not acceptable, or null: an answer, below 500, and every error a problem with our code and the request id. */
const fault = (outcome: RawOutcome): string | null => {
  if (outcome.kind === "hung") return `no answer within ${ANSWER_WITHIN_MS} ms`;
  if (outcome.kind === "closed") return "closed without an answer";
  const { status, headers, body } = outcome.answer;
  if (!(status >= 100 && status < 500)) return `status ${status}`;
  if (status < 400) return null;
  if (headers["content-type"] !== PROBLEM_TYPE) return `${status} as ${headers["content-type"] ?? "no content type"}: ${body.slice(0, 200)}`;
  const requestId = headers["x-request-id"];
  if (!requestId) return `${status} without x-request-id`;
  if (body === "") return null; // HEAD: the headers are the answer
  try {
    const problem = JSON.parse(body) as { status?: unknown; code?: unknown; requestId?: unknown };
    const ok = problem.status === status && typeof problem.code === "string" && /^[a-z_]+$/.test(problem.code) && problem.requestId === requestId;
    return ok ? null : `not a problem of ours: ${body.slice(0, 200)}`;
  } catch {
    return `body is not JSON: ${body.slice(0, 200)}`;
  }
};

const send = async (request: Buffer | string) => {
  const outcome = await sendRaw(port, request, ANSWER_WITHIN_MS);
  tally(outcome);
  return fault(outcome);
};

const CRLF = "\r\n";
const concrete = (route: Route, piece?: string) => {
  let replaced = false;
  const sessionId = route.method === "DELETE" ? known.deletableSessionId : known.sessionId;
  const values: Record<string, string> = { sessionId, promptId: known.promptId, ref: `${known.sessionId}:1`, name: "nobody", claudeSessionId: "abc" };
  return route.url.split("/").map((segment) => {
    if (!segment.startsWith(":") && segment !== "*") return segment;
    if (piece !== undefined && !replaced) {
      replaced = true;
      return piece;
    }
    return values[segment.slice(1)] ?? "x";
  }).join("/");
};
const request = (method: string, target: string, headers: string[] = [], body = "") =>
  `${method} ${target} HTTP/1.1${CRLF}${["Host: 127.0.0.1", `Authorization: Bearer ${TEST_TOKEN}`, ...headers, `Content-Length: ${Buffer.byteLength(body)}`].join(CRLF)}${CRLF}${CRLF}${body}`;

/** The same hostile requests on every route: no token, hostile parameters and queries, broken and oversized bodies, wrong types and methods, upgrades. */
const sweepOf = (route: Route): string[] => {
  const path = concrete(route);
  const json = ["Content-Type: application/json"];
  const hasParams = route.url.includes(":") || route.url.endsWith("*");
  const pieces = hasParams ? hostilePieces.map((piece) => request(route.method, concrete(route, piece))) : [];
  return [
    request(route.method, path).replace(/Authorization: [^\r]*\r\n/, ""),
    request(route.method, `${path}?limit=%00&after=%zz&projectPath=a%00b`),
    request(route.method, `${path}?${"q".repeat(3000)}=${"v".repeat(3000)}`),
    request(route.method, path, json, '{"folderName":'),
    request(route.method, path, json, '{"folderName":"alpha\\u0000","prompt":"\\u0000"}'),
    request(route.method, path, json, JSON.stringify({ prompt: "é".repeat(40_000) })),
    request(route.method, path, ["Content-Type: text/xml"], "<a/>"),
    request(route.method, path, ["Content-Type: application/json; charset=utf-16"], "{}"),
    request(route.method === "PUT" ? "POST" : "PUT", path, json, "{}"),
    // Upgrade requests arrive through Node's 'upgrade' event, a path of their own.
    request(route.method, path, ["Connection: Upgrade", "Upgrade: h2c"]),
    request(route.method, hasParams ? concrete(route, "%FF%FE") : `${path}/%E0%A4%A`, ["Connection: Upgrade", "Upgrade: websocket"]),
    ...pieces,
  ];
};

describe("raw requests on a socket, over every route", () => {
  it("the same hostile requests on every route: no 5xx, no hang, every error a problem", { timeout: 240_000 }, async () => {
    const faults: string[] = [];
    let sent = 0;
    for (const route of routes) {
      for (const text of sweepOf(route)) {
        sent += 1;
        const found = await send(text);
        if (found) faults.push(`${route.method} ${route.url}: ${found} <- ${JSON.stringify(text.slice(0, 160))}`);
      }
    }
    console.log(`raw sweep: ${sent} requests over ${routes.length} routes; answers by status ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(faults).toEqual([]);
    expect(sent).toBeGreaterThan(routes.length * 9);
  });

  it("random requests, headers, bodies and damage: no 5xx, no hang, every error a problem", { timeout: 240_000 }, async () => {
    statuses.clear();
    const requestArb = fc.constantFrom(...routes).chain((route) => rawRequestArb(route, known));
    await fc.assert(
      fc.asyncProperty(requestArb, async (bytes) => {
        const found = await send(bytes);
        expect(found, bytes.toString("latin1").slice(0, 300)).toBeNull();
      }),
      { numRuns: RANDOM_RUNS, endOnFailure: true },
    );
    console.log(`raw fuzz: ${RANDOM_RUNS} requests; answers by status ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The fuzzer must reach the handlers too, not only the parser and auth, or it proves little.
    for (const status of ["200", "400", "401", "404"]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
  });

  it("leaves no connection open once its clients are gone", async () => {
    const open = () => new Promise<number>((resolve, reject) => t.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    const deadline = Date.now() + 5000;
    while ((await open()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await open()).toBe(0);
  });

  it("still serves a well-formed request afterwards", async () => {
    const response = await t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${known.sessionId}`, headers: t.auth });
    expect(response.statusCode).toBe(200);
  });
});
