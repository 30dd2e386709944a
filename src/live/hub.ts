import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { toError } from "../errors.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import { raceWithWatchdog } from "../eventStore/watchdog.ts";

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
  readonly redis: Redis;
  readonly logger: Logger;
  readonly blockMs?: number;
  readonly batchSize?: number;
}

type Entry = [id: string, fields: string[]];

export const entryIdOf = (version: number): string => `0-${version}`;

/**
 * The stored body `e` is the canonical JSON of the envelope without `hash`; appending the hash
 * gives the envelope JSON without parsing and re-encoding it for every event.
 */
export const envelopeJson = (body: string, hash: string): string =>
  `${body.slice(0, -1)}${body.length > 2 ? "," : ""}"hash":${JSON.stringify(hash)}}`;

/** The live-delta channel prefix the runner publishes on: `${prefix}live:`. */
export const keyPrefixOf = (store: EventStore): string => store.keys.config.slice(0, -"config".length);
export const deltaChannelPrefix = (store: EventStore): string => `${keyPrefixOf(store)}live:`;

const liveEventOf = (fields: readonly string[]): { sessionId: string; event: LiveEvent } | null => {
  let sessionId = "";
  let version = 0;
  let body = "";
  let hash = "";
  for (let index = 0; index < fields.length; index += 2) {
    const value = fields[index + 1] ?? "";
    switch (fields[index]) {
      case "s": sessionId = value; break;
      case "v": version = Number(value); break;
      case "e": body = value; break;
      case "h": hash = value; break;
    }
  }
  if (!sessionId || !Number.isInteger(version) || version < 1 || !body.startsWith("{") || !body.endsWith("}")) return null;
  return { sessionId, event: { id: entryIdOf(version), version, json: envelopeJson(body, hash) } };
};

/**
 * The per-process fan-out: ONE blocking connection reads every partition log (plain XREAD,
 * no consumer group: every api process sees every event) and ONE subscriber connection
 * receives the runners' live deltas; both are dispatched to the clients of each session.
 */
export const createLiveHub = (options: LiveHubOptions) => {
  const { store, logger } = options;
  const blockMs = options.blockMs ?? 5000;
  const batchSize = options.batchSize ?? 500;
  const log = logger.child({ component: "liveHub" });
  const logKeys = Array.from({ length: store.partitions }, (_, partition) => store.keys.partitionLog(partition));
  const keyPrefix = keyPrefixOf(store);
  const channelPrefix = deltaChannelPrefix(store);
  const listeners = new Map<string, Set<HubListener>>();
  const cursors = new Map<string, string>();
  let blocking: Redis | null = null;
  let subscriber: Redis | null = null;
  let running = false;
  let starting: Promise<void> | null = null;
  let loop: Promise<void> = Promise.resolve();

  const dispatch = (key: string, entries: readonly Entry[]) => {
    for (const [entryId, fields] of entries) {
      cursors.set(key, entryId);
      const sessionId = fields[0] === "s" ? fields[1] : undefined;
      // Route on the `s` field before parsing: most sessions have no watcher in this process.
      if (sessionId !== undefined && !listeners.has(sessionId)) continue;
      const parsed = liveEventOf(fields);
      if (!parsed) {
        log.warn({ key, entryId }, "partition log entry is not an event; skipped");
        continue;
      }
      for (const listener of listeners.get(parsed.sessionId) ?? []) listener.event(parsed.event);
    }
  };

  // The watchdog (taskforcesh/bullmq#1658) recycles a connection whose blocked XREAD hangs.
  const readOnce = async (connection: Redis) => {
    const ids = logKeys.map((key) => cursors.get(key) ?? "$");
    const read = connection.xread("COUNT", batchSize, "BLOCK", blockMs, "STREAMS", ...logKeys, ...ids) as Promise<[string, Entry[]][] | null>;
    const outcome = await raceWithWatchdog(connection, read, blockMs + 5000, () => log.warn("blocking read exceeded its deadline; reconnecting"));
    for (const [key, entries] of outcome ?? []) dispatch(key, entries);
  };

  const run = async (connection: Redis) => {
    while (running) {
      try {
        await readOnce(connection);
      } catch (error) {
        if (!running) break;
        log.error({ err: toError(error).message }, "live read failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  /** Pins each log's cursor to its current last entry, so nothing appended from now on is missed. */
  const pinCursors = async () => {
    const pipeline = store.redis.pipeline();
    for (const key of logKeys) pipeline.xrevrange(key, "+", "-", "COUNT", 1);
    const replies = (await pipeline.exec()) ?? [];
    for (const [index, key] of logKeys.entries()) {
      const [error, entries] = replies[index] ?? [null, []];
      if (error) throw error;
      cursors.set(key, (entries as Entry[])[0]?.[0] ?? "0-0");
    }
  };

  const onDelta = (_pattern: string, channel: string, message: string) => {
    const sessionId = channel.slice(channelPrefix.length);
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
    await pinCursors();
    // Named, so an operator sees exactly two live connections per api process in CLIENT LIST.
    subscriber = options.redis.duplicate({ connectionName: `${keyPrefix}live-deltas` });
    subscriber.on("pmessage", onDelta);
    await subscriber.psubscribe(`${channelPrefix}*`);
    blocking = options.redis.duplicate({ connectionName: `${keyPrefix}live-hub` });
    running = true;
    loop = run(blocking);
    log.info({ partitions: logKeys.length }, "live hub reading all partition logs");
  };

  return {
    /** Idempotent: the first call starts the readers; later calls wait for it. */
    start(): Promise<void> {
      starting ??= startNow().catch((error: unknown) => {
        starting = null; // let the next client try again (Redis may be back)
        throw error;
      });
      return starting;
    },
    async stop() {
      if (!running) return;
      running = false;
      blocking?.disconnect();
      subscriber?.disconnect();
      await loop;
      blocking = null;
      subscriber = null;
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
