import type { Logger } from "pino";
import { toError } from "../errors.ts";
import { envelopeJson, isEventEntry, sessionEntryId } from "../eventStore/entryCodec.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { LogEntry, LogTail } from "../eventStore/logTail.ts";

/** A stored event on its way to clients: serialised once per process, shared by every client. */
export interface LiveEvent {
  /** The session stream entry id `0-<version>`: the client's resume cursor. */
  readonly id: string;
  readonly version: number;
  /** The envelope as JSON (with `hash`), one line. */
  readonly json: string;
}

export interface HubListener {
  readonly event: (event: LiveEvent) => void;
  /** An ephemeral partial delta (typing effect), as one line of JSON. Never resumable. */
  readonly delta: (json: string) => void;
}

export interface LiveHubOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly blockMs?: number;
  readonly batchSize?: number;
}

/**
 * The per-process fan-out: ONE tail follows every partition log (no consumer group: every api
 * process sees every event) and ONE subscription receives the runners' live deltas; both are
 * dispatched to the clients of each session.
 */
export const createLiveHub = (options: LiveHubOptions) => {
  const { store, logger } = options;
  const log = logger.child({ component: "liveHub" });
  const listeners = new Map<string, Set<HubListener>>();
  let tail: LogTail | null = null;
  let deltas: { close: () => void } | null = null;
  let running = false;
  let starting: Promise<void> | null = null;
  let loop: Promise<void> = Promise.resolve();

  const dispatch = (entry: LogEntry) => {
    // Route on the session before anything else: most sessions have no watcher in this process.
    const targets = listeners.get(entry.sessionId);
    if (targets === undefined) return;
    if (!isEventEntry(entry)) return log.warn({ partition: entry.partition, entryId: entry.entryId }, "partition log entry is not an event; skipped");
    const event: LiveEvent = { id: sessionEntryId(entry.version), version: entry.version, json: envelopeJson(entry) };
    for (const listener of targets) listener.event(event);
  };

  const run = async (reader: LogTail) => {
    let failing = "";
    while (running) {
      try {
        for (const entry of await reader.read()) dispatch(entry);
        if (failing !== "") log.info("live reads work again");
        failing = "";
      } catch (error) {
        if (!running) break;
        // Once per failure, not once per retry: an outage lasts.
        const message = toError(error).message;
        if (message !== failing) log.error({ err: message }, "live read failed; retrying");
        failing = message;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  const onDelta = (sessionId: string, message: string) => {
    const targets = listeners.get(sessionId);
    if (!targets) return;
    let json: string;
    try {
      // Re-encoded so that a frame is always one line, whatever the publisher sent.
      json = JSON.stringify(JSON.parse(message));
    } catch {
      log.warn({ sessionId }, "live delta is not JSON; dropped");
      return;
    }
    for (const listener of targets) listener.delta(json);
  };

  const startNow = async () => {
    // Named, so an operator sees exactly two live connections per api process in CLIENT LIST.
    const reader = await store.openTail({
      connectionName: "live-hub",
      ...(options.blockMs !== undefined ? { blockMs: options.blockMs } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      onStuck: () => log.warn("blocking read exceeded its deadline; reconnecting"),
    });
    tail = reader;
    deltas = await store.liveDeltas.subscribe(onDelta, "live-deltas");
    running = true;
    loop = run(reader);
    log.info({ partitions: store.partitions }, "live hub reading all partition logs");
  };

  return {
    /** Idempotent: the first call starts the readers; later calls wait for it. */
    start(): Promise<void> {
      starting ??= startNow().catch((error: unknown) => {
        starting = null; // let the next client try again (Redis may be back)
        tail?.close();
        throw error;
      });
      return starting;
    },
    async stop() {
      if (!running) return;
      running = false;
      tail?.close();
      deltas?.close();
      await loop;
      tail = null;
      deltas = null;
      starting = null;
    },
    /** Registers a client of one session; returns its unsubscribe. */
    subscribe(sessionId: string, listener: HubListener): () => void {
      let set = listeners.get(sessionId);
      if (!set) {
        set = new Set();
        listeners.set(sessionId, set);
      }
      set.add(listener);
      return () => {
        const current = listeners.get(sessionId);
        current?.delete(listener);
        if (current?.size === 0) listeners.delete(sessionId);
      };
    },
    /** Counts for metrics and tests. */
    stats: () => ({ sessions: listeners.size, clients: [...listeners.values()].reduce((sum, set) => sum + set.size, 0) }),
  };
};

export type LiveHub = ReturnType<typeof createLiveHub>;
