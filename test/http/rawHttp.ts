import { connect } from "node:net";

/** One HTTP answer read off a raw socket. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What became of a raw request: an answer, a close with none, or nothing within the time. */
export type RawOutcome = { readonly kind: "answer"; readonly answer: RawAnswer } | { readonly kind: "closed" } | { readonly kind: "hung" };

const HEAD_END = "\r\n\r\n";

const parseHead = (head: string) => {
  const [statusLine = "", ...lines] = head.split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers };
};

/**
 * The final answer in `data` once it is complete: interim 1xx answers but 101 are skipped; a body is
 * complete at its Content-Length, at the end of its chunks, at once for HEAD and for an
 * event stream (which never ends), and, without either framing, at the close.
 */
const completeAnswer = (data: string, method: string, closed = false): RawAnswer | null => {
  let rest = data;
  for (;;) {
    const end = rest.indexOf(HEAD_END);
    if (end < 0) return null;
    const { status, headers } = parseHead(rest.slice(0, end));
    const body = rest.slice(end + HEAD_END.length);
    // 101: the connection is no longer HTTP (a WebSocket), nothing more to read as an answer.
    if (status === 101) return { status, headers, body: "" };
    if (status >= 100 && status < 200) {
      rest = body;
      continue;
    }
    if (method === "HEAD" || status === 204 || status === 304 || headers["content-type"]?.startsWith("text/event-stream")) return { status, headers, body: "" };
    const length = headers["content-length"];
    // Read as latin1, so one character is one byte.
    if (length !== undefined) return body.length >= Number(length) ? { status, headers, body } : null;
    if (headers["transfer-encoding"]?.includes("chunked")) return body.includes("0\r\n\r\n") ? { status, headers, body } : null;
    return closed ? { status, headers, body } : null;
  }
};

/** The method of a raw request, as the answer's framing depends on it (HEAD has no body). */
const methodOf = (request: Buffer) => request.subarray(0, 16).toString("latin1").split(" ")[0] ?? "";

/**
 * Writes `request` as is on a fresh connection to 127.0.0.1:`port` and reads one answer,
 * waiting at most `timeoutMs`. A socket the server closes after its answer, or keeps open for
 * the next request, both count as answered.
 */
export const sendRaw = (port: number, request: Buffer | string, timeoutMs = 3000): Promise<RawOutcome> =>
  new Promise((resolve) => {
    const bytes = typeof request === "string" ? Buffer.from(request, "latin1") : request;
    const method = methodOf(bytes);
    const socket = connect(port, "127.0.0.1");
    let data = "";
    let settled = false;
    const settle = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: "hung" }), timeoutMs);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const answer = completeAnswer(data, method);
      if (answer) settle({ kind: "answer", answer });
    });
    // A reset after the answer was read still leaves the answer; the server may cut a client
    // that is still sending (an oversized header) once it has answered.
    const onEnd = () => {
      const answer = completeAnswer(data, method, true);
      settle(answer ? { kind: "answer", answer } : { kind: "closed" });
    };
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    socket.on("error", onEnd);
    socket.write(bytes);
  });
