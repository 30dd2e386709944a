import type { RedisClient } from "../infra/redis.ts";
import { rawEntryOf, type RawEntry } from "./entryCodec.ts";
import type { StoreInternals } from "./internals.ts";
import { raceWithWatchdog } from "./watchdog.ts";

/** A partition log entry as the tail reads it: raw, so a reader can route it before parsing. */
export interface LogEntry extends RawEntry {
  readonly partition: number;
}

export interface LogTailOptions {
  /** Partitions to follow; all by default. */
  readonly partitions?: readonly number[];
  /** How long one read blocks when nothing is new. */
  readonly blockMs?: number;
  readonly batchSize?: number;
  /** Names the tail's connection in CLIENT LIST (after the key prefix). */
  readonly connectionName?: string;
  /** Called when a blocked read outlived its deadline and the connection was recycled. */
  readonly onStuck?: () => void;
}

type Entry = [id: string, fields: string[]];

interface Reading {
  readonly set: number;
  readonly entries?: LogEntry[];
  readonly error?: unknown;
}

/**
 * Follows partition logs from the moment it is opened (no consumer group: every reader sees
 * every entry), on connections of its own: a blocking read would stall every other command
 * on a shared one. The logs that may be read together (all of them on one Redis, each alone on
 * a cluster) share one blocking read; `read()` returns what the first of them brings.
 */
export const openLogTail = async (internals: StoreInternals, options: LogTailOptions = {}) => {
  const partitions = options.partitions ?? internals.allPartitions;
  const blockMs = options.blockMs ?? 5000;
  const batchSize = options.batchSize ?? 500;
  const sets = internals.readSets(partitions).map((some) => ({
    partitions: some,
    logKeys: some.map((partition) => internals.keys.partitionLog(partition)),
    connection: internals.duplicate(options.connectionName ?? "log-tail") as RedisClient,
    cursors: [] as string[],
  }));
  // Pin each log's cursor to its last entry now, so nothing appended from here on is missed.
  for (const set of sets) {
    set.cursors = await Promise.all(set.logKeys.map(async (key) => (await set.connection.xrevrange(key, "+", "-", "COUNT", 1))[0]?.[0] ?? "0-0"));
  }

  /** Entries appended after one set's cursors, oldest first per partition; empty after `blockMs`. */
  const readSet = async (index: number): Promise<LogEntry[]> => {
    const set = sets[index];
    if (set === undefined) return [];
    const pending = set.connection.xread("COUNT", batchSize, "BLOCK", blockMs, "STREAMS", ...set.logKeys, ...set.cursors) as Promise<[string, Entry[]][] | null>;
    // The watchdog (taskforcesh/bullmq#1658) recycles a connection whose blocked XREAD hangs.
    const reply = await raceWithWatchdog(set.connection, pending, blockMs + 5000, options.onStuck ?? (() => undefined));
    const entries: LogEntry[] = [];
    for (const [key, rows] of reply ?? []) {
      const at = set.logKeys.indexOf(key);
      const partition = set.partitions[at] ?? 0;
      for (const [entryId, fields] of rows) {
        set.cursors[at] = entryId;
        entries.push({ ...rawEntryOf(entryId, fields), partition });
      }
    }
    return entries;
  };

  // Each set's read stays in flight across calls until it answers, so none is read twice at once.
  const inFlight = new Map<number, Promise<Reading>>();
  /** Entries appended since the last call, from whichever set answers first; empty after `blockMs`. */
  const read = async (): Promise<LogEntry[]> => {
    for (const index of sets.keys()) {
      if (!inFlight.has(index)) inFlight.set(index, readSet(index).then((entries) => ({ set: index, entries }), (error: unknown) => ({ set: index, error })));
    }
    const first = await Promise.race(inFlight.values());
    inFlight.delete(first.set);
    if (first.error !== undefined) throw first.error;
    return first.entries ?? [];
  };

  return { read, close: () => { for (const set of sets) set.connection.disconnect(); } };
};

export type LogTail = Awaited<ReturnType<typeof openLogTail>>;
