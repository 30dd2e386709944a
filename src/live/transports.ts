import type { ServerResponse } from "node:http";
import type { WebSocket } from "ws";
import type { FeedFailure, LiveTransport } from "./feed.ts";

/** A client that does not take its last frames within this time is cut off. */
const FINAL_FLUSH_MS = 5000;

/** WebSocket close codes, after the HTTP statuses they mirror. */
export const wsCloseCodes = {
  bad_request: 4400,
  unauthorised: 4401,
  not_found: 4404,
  auth_timeout: 4408,
  slow_consumer: 4429,
  too_many_pending: 4429,
  /** The address failed authentication too often in the window (RATE_LIMIT_AUTH_FAILURES). */
  rate_limited: 4429,
  internal_error: 4500,
  shutting_down: 1001,
  revoked: 4401,
} as const satisfies Record<string, number>;

const waitUntil = (isDone: () => boolean, subscribe: (wake: () => void) => () => void, timeoutMs: number) =>
  new Promise<boolean>((resolve) => {
    if (isDone()) return resolve(true);
    let unsubscribe = () => {};
    const finish = (value: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    unsubscribe = subscribe(() => {
      if (isDone()) finish(true);
    });
  });

/**
 * Server-Sent Events over a hijacked response. Stored events carry `id:` (the resume cursor)
 * and no event name, so `EventSource.onmessage` gets them; the snapshot, deltas and the final
 * error are named events without an id, so they never move the client's Last-Event-ID.
 */
export const sseTransport = (res: ServerResponse): LiveTransport => {
  const write = (frame: string) => {
    if (!res.writableEnded && !res.destroyed) res.write(frame);
  };
  const end = () => {
    if (res.writableEnded) return;
    res.end();
    setTimeout(() => res.destroy(), FINAL_FLUSH_MS).unref();
  };
  return {
    snapshot: (snapshot) => write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`),
    event: (event) => write(`id: ${event.id}\ndata: ${event.json}\n\n`),
    delta: (json) => write(`event: delta\ndata: {"ephemeral":true,"delta":${json}}\n\n`),
    heartbeat: () => write(": ping\n\n"),
    buffered: () => res.writableLength,
    drained: (timeoutMs) =>
      waitUntil(
        () => res.destroyed || res.writableLength === 0,
        (wake) => {
          res.on("drain", wake);
          res.on("close", wake);
          return () => {
            res.off("drain", wake);
            res.off("close", wake);
          };
        },
        timeoutMs,
      ),
    fail: (reason: FeedFailure, detail: string) => {
      write(`event: error\ndata: ${JSON.stringify({ reason, detail })}\n\n`);
      end();
    },
    close: end,
  };
};

/**
 * JSON messages over a WebSocket: `{type: "snapshot" | "event" | "delta" | "error"}`; stored
 * events carry `id`, deltas `ephemeral: true`. Heartbeats are protocol pings.
 */
export const wsTransport = (socket: WebSocket): LiveTransport => {
  const open = () => socket.readyState === socket.OPEN;
  const send = (message: string) => {
    if (open()) socket.send(message);
  };
  return {
    snapshot: (snapshot) => send(`{"type":"snapshot","snapshot":${JSON.stringify(snapshot)}}`),
    event: (event) => send(`{"type":"event","id":"${event.id}","event":${event.json}}`),
    delta: (json) => send(`{"type":"delta","ephemeral":true,"delta":${json}}`),
    heartbeat: () => {
      if (open()) socket.ping();
    },
    buffered: () => socket.bufferedAmount,
    // `ws` has no drain event on the socket object: poll the buffered amount.
    drained: (timeoutMs) =>
      waitUntil(
        () => !open() || socket.bufferedAmount === 0,
        (wake) => {
          const interval = setInterval(wake, 20);
          return () => clearInterval(interval);
        },
        timeoutMs,
      ),
    fail: (reason: FeedFailure, detail: string) => {
      send(JSON.stringify({ type: "error", reason, detail }));
      if (open()) socket.close(wsCloseCodes[reason], reason);
      setTimeout(() => socket.terminate(), FINAL_FLUSH_MS).unref();
    },
    close: () => {
      if (open()) socket.close(1000);
    },
  };
};
