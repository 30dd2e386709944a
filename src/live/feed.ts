import type { Logger } from "pino";
import { toError } from "../errors.ts";
import type { EventPages } from "./eventPages.ts";
import type { LiveEvent, LiveHub } from "./hub.ts";
import type { SessionSnapshot, Snapshotter } from "./snapshot.ts";

/** How one client's connection is written: SSE frames or WebSocket messages. */
export interface LiveTransport {
  snapshot(snapshot: SessionSnapshot): void;
  event(event: LiveEvent): void;
  delta(json: string): void;
  heartbeat(): void;
  /** Bytes written but not yet handed to the network. */
  buffered(): number;
  /** Resolves true once the buffer drained, false after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean>;
  /** Sends a final error with its reason, then closes. */
  fail(reason: FeedFailure, detail: string): void;
  close(): void;
}

export type FeedFailure = "slow_consumer" | "internal_error" | "shutting_down" | "revoked";

export interface FeedLimits {
  /** A live client with more than this many bytes unsent is disconnected (it can resume). */
  readonly maxBufferedBytes: number;
  readonly heartbeatMs: number;
  /** Events read per page while catching up. */
  readonly pageSize: number;
  /** Live events held while the backlog is still being sent. */
  readonly maxPending: number;
  /** How long a catching-up client may take to drain its buffer before it is dropped. */
  readonly drainTimeoutMs: number;
}

export const defaultFeedLimits: FeedLimits = {
  maxBufferedBytes: 256 * 1024,
  heartbeatMs: 15_000,
  pageSize: 500,
  maxPending: 10_000,
  drainTimeoutMs: 30_000,
};

export interface FeedDeps {
  readonly hub: LiveHub;
  readonly eventPages: EventPages;
  readonly snapshotter: Snapshotter;
  readonly logger: Logger;
  readonly limits: FeedLimits;
}

/**
 * One client's view of one session, gap-free and duplicate-free: it registers with the hub
 * FIRST (live events are held), then sends the snapshot and the backlog after the cursor, then
 * the held and later live events, skipping every version already sent. A live event that
 * skips ahead (a trimmed log, a lost read) triggers a catch-up from the stored events.
 */
export const createLiveFeed = (deps: FeedDeps, sessionId: string, after: number | null, transport: LiveTransport) => {
  const { hub, eventPages, snapshotter, limits } = deps;
  const log = deps.logger.child({ sessionId });
  const pending: LiveEvent[] = [];
  let lastSent = after ?? 0;
  let live = false;
  let catchingUp = false;
  let closed = false;
  let unsubscribe = () => {};
  let heartbeat: NodeJS.Timeout | undefined;

  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    pending.length = 0;
  };

  const fail = (reason: FeedFailure, detail: string) => {
    if (closed) return;
    log.info({ reason, lastSent }, "closing live client");
    close();
    transport.fail(reason, detail);
  };

  const overLimit = () => {
    if (transport.buffered() <= limits.maxBufferedBytes) return false;
    fail("slow_consumer", `more than ${limits.maxBufferedBytes} bytes unsent; reconnect with the last id to resume`);
    return true;
  };

  const send = (event: LiveEvent) => {
    transport.event(event);
    lastSent = event.version;
  };

  /** Sends the stored events after `lastSent` until the head, waiting for the socket between pages. */
  const catchUp = async () => {
    for (;;) {
      const page = await eventPages.page(sessionId, lastSent, limits.pageSize);
      if (closed || page.length === 0) return;
      for (const event of page) if (event.version > lastSent) send(event);
      if (transport.buffered() > limits.maxBufferedBytes / 2 && !(await transport.drained(limits.drainTimeoutMs))) {
        fail("slow_consumer", `the backlog was not read within ${limits.drainTimeoutMs} ms; reconnect with the last id to resume`);
        return;
      }
    }
  };

  /** After a catch-up, versions still missing are in no source: say so and move on. */
  const afterCatchUp = () => {
    catchingUp = false;
    const next = pending[0];
    if (!closed && next && next.version > lastSent + 1) {
      log.warn({ from: lastSent + 1, to: next.version - 1 }, "versions missing from every source; skipped");
      lastSent = next.version - 1;
    }
    pump();
  };

  // Synchronous unless a gap needs a catch-up, so live events go out in hub order at once.
  const pump = () => {
    if (!live || catchingUp || closed) return;
    while (!closed && pending.length > 0) {
      const event = pending[0] as LiveEvent;
      if (event.version <= lastSent) {
        pending.shift();
        continue;
      }
      if (event.version > lastSent + 1) {
        catchingUp = true;
        catchUp().then(afterCatchUp, (error: unknown) => fail("internal_error", toError(error).message));
        return;
      }
      pending.shift();
      send(event);
      if (overLimit()) return;
    }
  };

  const onEvent = (event: LiveEvent) => {
    if (closed) return;
    pending.push(event);
    if (pending.length > limits.maxPending) fail("slow_consumer", "too many live events held while the backlog was sent");
    else pump();
  };

  // Deltas only make sense on top of an up-to-date stream; a catching-up client gets the
  // complete messages instead.
  const onDelta = (json: string) => {
    if (closed || !live || catchingUp || pending.length > 0) return;
    transport.delta(json);
    overLimit();
  };

  const start = async () => {
    unsubscribe = hub.subscribe(sessionId, { event: onEvent, delta: onDelta });
    heartbeat = setInterval(() => transport.heartbeat(), limits.heartbeatMs);
    heartbeat.unref();
    try {
      const snapshot = await snapshotter.take(sessionId);
      if (closed) return;
      transport.snapshot(snapshot);
      // No cursor: the snapshot stands for the past. A cursor beyond the head (a purged and
      // recreated session, a client bug) must not swallow the next live events.
      lastSent = Math.min(after ?? snapshot.version, snapshot.version);
      await catchUp();
      if (closed) return;
      live = true;
      pump();
    } catch (error) {
      log.error({ err: toError(error).message }, "live stream failed to start");
      fail("internal_error", "the stream could not be read; retry with the last id");
    }
  };

  return { start, close, fail, lastSent: () => lastSent };
};

export type LiveFeed = ReturnType<typeof createLiveFeed>;
