import fc from "fast-check";

/** A registered route, as `app.routeAccess` lists it. */
export interface Route {
  readonly method: string;
  readonly url: string;
}

/** Ids that exist in the service under test, so requests get past validation too. */
export interface Known {
  readonly sessionId: string;
  /** A session DELETE may remove: deleting `sessionId` would turn every later request on it into a 410. */
  readonly deletableSessionId: string;
  readonly promptId: string;
  readonly token: string;
}

const CRLF = "\r\n";
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: odd, weight: 1 });
const text = fc.string({ unit: "grapheme", maxLength: 24 });

/** Path and query pieces that have broken parsers and databases before. Raw ones go on the wire unencoded. */
export const hostilePieces = [
  "%00", "a%00b", "%zz", "%E0%A4%A", "%", "%2", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%C0%AE%C0%AE", "%FF%FE", "%F0%9F%98%80",
  "%EF%BF%BF", "%20", "+", "%2F", "a".repeat(600), "%41".repeat(520), "é", "😀", "\u202e", "日本",
];
const hostile = fc.oneof(fc.constantFrom(...hostilePieces), text.map(encodeURIComponent), fc.uuid());

/** Stands for the session id until the method is known: a DELETE gets the deletable one. */
const SESSION = "{session}";

/** The value a path parameter takes: mostly one that exists. */
const paramArb = (name: string, known: Known): fc.Arbitrary<string> => {
  const usual: Record<string, string> = { sessionId: SESSION, promptId: known.promptId, ref: `${known.sessionId}:1`, name: "fuzz-token", claudeSessionId: "abc-123" };
  return mostly(fc.constant(usual[name] ?? "index.html"), hostile);
};

/** A path for a route pattern (`:name` parameters, a trailing `*`). */
const pathArb = (route: Route, known: Known) => {
  const segments = route.url.split("/").map((segment) => (segment.startsWith(":") || segment === "*" ? paramArb(segment.slice(1), known) : fc.constant(segment)));
  return fc.tuple(...segments).map((parts) => parts.join("/"));
};

const queryKeys = ["limit", "offset", "status", "includeUnlinked", "minPosition", "after", "asOf", "projectPath", "format", "sessionId", "type", "actor", "from", "to", "thread", "before"];
const queryValue = fc.oneof(fc.constantFrom("1", "0", "-1", "1e9", "true", "active", "all", "csv", "0:1-0", "0-1", "2024-01-01T00:00:00Z"), hostile);
const queryArb = mostly(
  fc.constant(""),
  fc.array(fc.tuple(fc.oneof(fc.constantFrom(...queryKeys), hostile), queryValue), { minLength: 1, maxLength: 4 })
    .map((pairs) => `?${pairs.map(([key, value]) => `${key}=${value}`).join("&")}`),
);

const validBodies = [{ folderName: "alpha" }, { prompt: "hello" }, { context: "c", metadata: { a: 1 } }, { status: "archived" }, { name: "fuzz-token", scope: "auditor" }];
const bodyArb = mostly(
  fc.constantFrom(...validBodies.map((body) => JSON.stringify(body))),
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? "null"),
    fc.constantFrom('{"a":', "{'a':1}", "[1,2", "nul", "", "\u0000", '{"folderName":"alpha\\u0000"}', '{"prompt":"a\\u0000b"}', '{"metadata":{"k\\u0000":1},"folderName":"alpha"}'),
    fc.constantFrom(`{"folderName":"alpha","metadata":{"a":${"[".repeat(200)}${"]".repeat(200)}}}`, JSON.stringify({ prompt: "x".repeat(70_000) })),
    text.map((value) => JSON.stringify({ prompt: value, folderName: value, context: value })),
  ),
);

const contentTypes = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/xml", "garbage/ä", ""];
const authArb = (token: string) => mostly(fc.constant(`Bearer ${token}`), fc.constantFrom("", "Bearer wrong-token-0123456789", "Basic dXNlcjpwYXNz", `Bearer ${"x".repeat(300)}`, "Bearer"));

/** Extra headers a client might send, hostile values included. */
const extraHeadersArb = fc.subarray([
  ["Idempotency-Key", "key-1"], ["Idempotency-Key", "bad key é"], ["X-Request-Id", "../../etc"], ["X-Correlation-Id", "c".repeat(200)],
  ["X-Min-Position", "0:1-0"], ["X-Min-Position", "garbage"], ["Last-Event-ID", "0-1"], ["Last-Event-ID", "%00"], ["Accept", "application/xml"],
  ["Accept-Encoding", "gzip, br"], ["Expect", "100-continue"], ["Expect", "teapot"], ["Upgrade", "websocket"], ["Connection", "Upgrade"],
  ["Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="], ["Sec-WebSocket-Version", "13"], ["Upgrade", "h2c"], ["X-Unicode", "é"], ["Range", "bytes=0-1"],
] as Array<[string, string]>, { maxLength: 4 });

const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];
const methodArb = (usual: string) => mostly(fc.constant(usual), fc.constantFrom(...methods, "FOO", "get"));

/** Body framing: Content-Length (mostly), chunked, or none (the body then reads as a next request). */
const frame = (body: string, framing: "length" | "chunked" | "none") => {
  const bytes = Buffer.from(body, "utf8");
  if (framing === "length") return { header: `Content-Length: ${bytes.length}${CRLF}`, payload: bytes };
  if (framing === "chunked") {
    const chunk = bytes.length > 0 ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}${CRLF}`), bytes, Buffer.from(CRLF)]) : Buffer.alloc(0);
    return { header: `Transfer-Encoding: chunked${CRLF}`, payload: Buffer.concat([chunk, Buffer.from(`0${CRLF}${CRLF}`)]) };
  }
  return { header: "", payload: bytes };
};

/** Whole-request damage no well-behaved client does. */
const damages: Array<(request: string) => string> = [
  (request) => request.replace("HTTP/1.1", "HTTP/1.0"),
  (request) => request.replace("HTTP/1.1", "HTTP/2.0"),
  (request) => request.replace(" HTTP/1.1", ""),
  (request) => request.replaceAll(CRLF, "\n"),
  (request) => request.replace(/Host: [^\r]*\r\n/, ""),
  (request) => request.replace(CRLF, `${CRLF}X-Big: ${"b".repeat(20_000)}${CRLF}`),
  (request) => request.replace(CRLF, `${CRLF}X-Folded: a${CRLF} b${CRLF}`),
  (request) => request.replace(CRLF, `${CRLF}Bad Header: x${CRLF}`),
  (request) => request.replace(CRLF, `${CRLF}Content-Length: -1${CRLF}`),
  (request) => request.replace(CRLF, `${CRLF}Content-Length: 1${CRLF}Content-Length: 2${CRLF}`),
  (request) => request.replace(/^(\S+) \//, (_all, method: string) => `${method} http://127.0.0.1/`),
  (request) => `\u0000\u0001garbage${request}`,
  (request) => request.replace(CRLF, `${CRLF}X-Ctl: a\u0001b${CRLF}`),
];

/** One request for `route`, as the bytes a client writes. */
export const rawRequestArb = (route: Route, known: Known): fc.Arbitrary<Buffer> =>
  fc.record({
    method: methodArb(route.method),
    path: pathArb(route, known),
    query: queryArb,
    auth: authArb(known.token),
    contentType: mostly(fc.constant("application/json"), fc.constantFrom(...contentTypes)),
    extra: extraHeadersArb,
    body: bodyArb,
    framing: fc.constantFrom<"length" | "chunked" | "none">("length", "length", "length", "length", "length", "length", "chunked", "none"),
    damage: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: fc.constantFrom(...damages), weight: 1 }),
  }).map((parts) => {
    const hasBody = !["GET", "HEAD", "OPTIONS", "TRACE"].includes(parts.method) || parts.framing === "chunked";
    const framed = frame(hasBody ? parts.body : "", hasBody ? parts.framing : "none");
    const headers = [
      "Host: 127.0.0.1",
      ...(parts.auth ? [`Authorization: ${parts.auth}`] : []),
      ...(hasBody && parts.contentType ? [`Content-Type: ${parts.contentType}`] : []),
      ...parts.extra.map(([name, value]) => `${name}: ${value}`),
    ];
    const path = parts.path.replace(SESSION, parts.method === "DELETE" ? known.deletableSessionId : known.sessionId);
    const head = `${parts.method} ${path}${parts.query} HTTP/1.1${CRLF}${headers.join(CRLF)}${CRLF}${framed.header}${CRLF}`;
    return Buffer.concat([Buffer.from(parts.damage ? parts.damage(head) : head, "utf8"), framed.payload]);
  });
