import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, PROBLEM_TYPE, TEST_TOKEN, type TestApp } from "./support.ts";

let t: TestApp;
let sessionId: string;
let promptId: string;
let seeded: string;
beforeAll(async () => {
  // Random minPositions are mostly never reached: keep their bounded wait short here.
  t = await createTestApp({ BODY_LIMIT_BYTES: "65536", PROMPT_MAX_CHARS: "2000", READ_WAIT_MS: "20" });
  sessionId = await newSession();
  const seed = (await t.app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}/prompts`, headers: t.auth, payload: { prompt: "seed" } })).json();
  promptId = seed.promptId;
  seeded = seed.position;
});
afterAll(async () => t.close());

const newSession = async (): Promise<string> =>
  (await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" } })).json().id;

const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: odd, weight: 1 });
const text = fc.string({ unit: "grapheme-ascii", maxLength: 40 });
const idArb = mostly(fc.constant("SESSION"), fc.oneof(fc.uuid(), text.map(encodeURIComponent), fc.constant("..%2F..%2Fetc")));
const promptArb = mostly(fc.constant("PROMPT"), fc.oneof(fc.uuid(), text.map(encodeURIComponent)));

const routeArb = fc.oneof(
  fc.constantFrom("POST", "GET").map((method) => ({ method, path: "/api/claude-code/sessions" })),
  fc.tuple(fc.constantFrom("GET", "PATCH"), idArb).map(([method, id]) => ({ method, path: `/api/claude-code/sessions/${id}` })),
  // Deleting the shared session would turn every later request into a 410: delete others.
  fc.oneof(fc.constant("DOOMED"), fc.uuid(), text.map(encodeURIComponent)).map((id) => ({ method: "DELETE", path: `/api/claude-code/sessions/${id}` })),
  fc.tuple(fc.constantFrom("POST", "GET"), idArb).map(([method, id]) => ({ method, path: `/api/claude-code/sessions/${id}/prompts` })),
  fc.tuple(fc.constantFrom("GET", "DELETE"), idArb, promptArb).map(([method, id, prompt]) => ({ method, path: `/api/claude-code/sessions/${id}/prompts/${prompt}` })),
  fc.constantFrom("/health", "/live", "/ready", "/openapi.json").map((path) => ({ method: "GET", path })),
);

const queryArb = mostly(fc.constant({}), fc.dictionary(fc.constantFrom("limit", "offset", "status", "includeUnlinked", "minPosition", "x"), text, { maxKeys: 3 }));

/** Bodies the schemas expect, with fields swapped for random JSON. */
const validBody = fc.oneof(
  fc.constantFrom({ folderName: "alpha" }, { folderName: "beta", context: "c", metadata: { a: 1 } }, { status: "archived" }, { context: null }),
  fc.string({ minLength: 1, maxLength: 3000 }).map((prompt) => ({ prompt })),
);
const bodyArb = mostly(validBody, fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ folderName: fc.oneof(fc.constant("alpha"), text, fc.jsonValue()), context: fc.jsonValue(), metadata: fc.jsonValue() }, { requiredKeys: [] }),
  fc.record({ projectPath: fc.oneof(text, fc.jsonValue()), folderName: fc.oneof(text, fc.constant("beta")) }, { requiredKeys: [] }),
  fc.record({ prompt: fc.oneof(fc.string({ maxLength: 3000 }), fc.jsonValue()), projectPath: fc.oneof(text, fc.jsonValue()) }, { requiredKeys: [] }),
  fc.record({ status: fc.oneof(fc.constantFrom("active", "archived"), text), context: fc.oneof(text, fc.constant(null)) }, { requiredKeys: [] }),
));

const validToken = fc.constant(`Bearer ${TEST_TOKEN}`);

const headersArb = fc.record(
  {
    authorization: mostly(validToken, fc.oneof(text, text.map((value) => `Bearer ${value}`))),
    "content-type": mostly(fc.constant("application/json"), fc.oneof(fc.constantFrom("text/plain", "application/xml", "application/json; charset=latin1", "multipart/form-data"), text)),
    "idempotency-key": mostly(fc.uuid(), text),
    "x-min-position": fc.oneof(text, fc.constant("0:1-0")),
    "x-correlation-id": text,
    "x-request-id": text,
    accept: fc.oneof(text, fc.constant("application/problem+json")),
  },
  { requiredKeys: ["authorization", "content-type"] },
).chain((headers) => fc.subarray(Object.keys(headers)).map((dropped) => {
  // Optional headers show up now and then, so valid requests get through too.
  const kept = { ...headers } as Record<string, string>;
  for (const name of dropped) if (name !== "authorization" && name !== "content-type") delete kept[name];
  return kept;
}));

const rawBodyArb = mostly(bodyArb.map((body) => JSON.stringify(body)), fc.oneof(text, fc.constant("")));

describe("fuzzing every route with random bodies, queries and headers", () => {
  it("never answers 5xx, and every error is a problem with a code and the request id", async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(routeArb, queryArb, headersArb, rawBodyArb, async (route, query, headers, body) => {
        const doomed = route.path.includes("DOOMED") ? await newSession() : "";
        const path = route.path.replace("SESSION", sessionId).replace("DOOMED", doomed).replace("PROMPT", promptId);
        const search = new URLSearchParams(query).toString();
        const hasBody = route.method !== "GET";
        const response = await t.app.inject({
          method: route.method as "GET",
          url: search ? `${path}?${search}` : path,
          headers: headers as Record<string, string>,
          ...(hasBody ? { payload: body } : {}),
        });
        seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
        expect(response.statusCode, `${route.method} ${path} -> ${response.body}`).toBeLessThan(500);
        expect(response.headers["x-request-id"]).toBeTruthy();
        if (response.statusCode >= 400) {
          expect(response.headers["content-type"], response.body).toBe(PROBLEM_TYPE);
          const problem = response.json();
          expect(problem.code).toMatch(/^[a-z_]+$/);
          expect(problem.status).toBe(response.statusCode);
          expect(problem.requestId).toBe(response.headers["x-request-id"]);
        }
      }),
      { numRuns: 600 },
    );
    // The fuzzer must get past auth and validation too, or it proves little.
    expect([...seen.keys()]).toEqual(expect.arrayContaining([200, 400, 401]));
    expect([...seen.keys()].some((status) => status === 201 || status === 202)).toBe(true);
  });

  it("still serves a well-formed request afterwards", async () => {
    const response = await t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}?minPosition=${encodeURIComponent(seeded)}`, headers: t.auth });
    expect(response.statusCode).toBe(200);
    expect(response.json().id).toBe(sessionId);
  });
});
