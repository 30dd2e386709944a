import { request as httpRequest, type IncomingMessage } from "node:http";
import { WebSocket } from "ws";

/** One parsed SSE frame; comments (heartbeats) are counted, not kept. */
export interface Frame {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/** What either client received, in the shape the tests compare. */
export interface Received {
  readonly kind: "snapshot" | "event" | "delta" | "error";
  readonly id?: string | undefined;
  readonly body: unknown;
}

const waitUntil = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const parseFrame = (block: string): Frame | "comment" | null => {
  let id: string | undefined;
  let event = "message";
  const data: string[] = [];
  let comment = false;
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) comment = true;
    else if (line.startsWith("id: ")) id = line.slice(4);
    else if (line.startsWith("event: ")) event = line.slice(7);
    else if (line.startsWith("data: ")) data.push(line.slice(6));
  }
  if (data.length === 0) return comment ? "comment" : null;
  return { id, event, data: data.join("\n") };
};

const kindOf = (event: string): Received["kind"] =>
  event === "message" ? "event" : (event as Received["kind"]);

/** A minimal SSE client over node:http (EventSource semantics for what the tests need). */
export const openSse = (url: string, headers: Record<string, string> = {}) =>
  new Promise<SseClient>((resolve, reject) => {
    const request = httpRequest(url, { headers: { accept: "text/event-stream", ...headers } }, (response) => {
      resolve(sseClient(response, () => request.destroy()));
    });
    request.on("error", reject);
    request.end();
  });

const sseClient = (response: IncomingMessage, destroy: () => void) => {
  const received: Received[] = [];
  let comments = 0;
  let text = "";
  let buffer = "";
  let ended = false;
  response.setEncoding("utf8");
  response.on("data", (chunk: string) => {
    if (response.statusCode !== 200) {
      text += chunk;
      return;
    }
    buffer += chunk;
    let cut = buffer.indexOf("\n\n");
    while (cut !== -1) {
      const frame = parseFrame(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (frame === "comment") comments += 1;
      else if (frame) received.push({ kind: kindOf(frame.event), id: frame.id, body: JSON.parse(frame.data) });
      cut = buffer.indexOf("\n\n");
    }
  });
  const closed = new Promise<void>((resolve) => {
    response.on("close", () => {
      ended = true;
      resolve();
    });
  });
  response.on("error", () => {});
  return {
    status: response.statusCode ?? 0,
    headers: response.headers,
    received,
    comments: () => comments,
    body: () => text,
    closed,
    isClosed: () => ended,
    events: () => received.filter((item) => item.kind === "event"),
    waitFor: (check: (received: readonly Received[]) => boolean, timeoutMs = 10_000) =>
      waitUntil(() => check(received), timeoutMs, "SSE frames"),
    pause: () => response.pause(),
    resume: () => response.resume(),
    close: () => destroy(),
  };
};
export type SseClient = ReturnType<typeof sseClient>;

/** A WebSocket client that records messages as `Received` and its close code. */
export const openWs = async (url: string, options: { headers?: Record<string, string>; hello?: unknown } = {}) => {
  const socket = new WebSocket(url, { headers: options.headers ?? {} });
  const received: Received[] = [];
  let closeCode: number | null = null;
  let closeReason = "";
  let unexpected: number | null = null;
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { type: Received["kind"]; id?: string; [key: string]: unknown };
    const body = message.type === "event" ? message.event : message.type === "snapshot" ? message.snapshot : message.type === "delta" ? message.delta : message;
    received.push({ kind: message.type, id: message.id, body });
  });
  socket.on("unexpected-response", (_request, response) => {
    unexpected = response.statusCode ?? 0;
    socket.terminate();
  });
  const closed = new Promise<void>((resolve) => {
    socket.on("close", (code, reason) => {
      closeCode = code;
      closeReason = String(reason);
      resolve();
    });
  });
  socket.on("error", () => {});
  await new Promise<void>((resolve) => {
    socket.once("open", () => resolve());
    socket.once("close", () => resolve());
  });
  if (options.hello !== undefined && socket.readyState === socket.OPEN) socket.send(JSON.stringify(options.hello));
  return {
    socket,
    received,
    closed,
    closeCode: () => closeCode,
    closeReason: () => closeReason,
    unexpectedStatus: () => unexpected,
    events: () => received.filter((item) => item.kind === "event"),
    waitFor: (check: (received: readonly Received[]) => boolean, timeoutMs = 10_000) =>
      waitUntil(() => check(received), timeoutMs, "WebSocket messages"),
    close: () => socket.terminate(),
  };
};
export type WsClient = Awaited<ReturnType<typeof openWs>>;
