import type { Redis } from "ioredis";
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

/**
 * Follows partition logs from the moment it is opened (no consumer group: every reader sees
 * every entry), on a connection of its own: a blocking read would stall every other command
 * on a shared one.
 */
export const openLogTail = async (internals: StoreInternals, options: LogTailOptions = {}) => {
  const partitions = options.partitions ?? internals.allPartitions;
  const logKeys = partitions.map((partition) => internals.keys.partitionLog(partition));
  const blockMs = options.blockMs ?? 5000;
  const batchSize = options.batchSize ?? 500;
  const connection: Redis = internals.duplicate(options.connectionName ?? "log-tail");
  // Pin each log's cursor to its last entry now, so nothing appended from here on is missed.
  const cursors = await Promise.all(logKeys.map(async (key) => (await connection.xrevrange(key, "+", "-", "COUNT", 1))[0]?.[0] ?? "0-0"));

  /** Entries appended after the cursors, oldest first per partition; empty after `blockMs`. */
  const read = async (): Promise<LogEntry[]> => {
    const pending = connection.xread("COUNT", batchSize, "BLOCK", blockMs, "STREAMS", ...logKeys, ...cursors) as Promise<[string, Entry[]][] | null>;
    // The watchdog (taskforcesh/bullmq#1658) recycles a connection whose blocked XREAD hangs.
    const reply = await raceWithWatchdog(connection, pending, blockMs + 5000, options.onStuck ?? (() => undefined));
    const entries: LogEntry[] = [];
    for (const [key, rows] of reply ?? []) {
      const index = logKeys.indexOf(key);
      const partition = partitions[index] ?? 0;
      for (const [entryId, fields] of rows) {
        cursors[index] = entryId;
        entries.push({ ...rawEntryOf(entryId, fields), partition });
      }
    }
    return entries;
  };

  return { read, close: () => connection.disconnect() };
};

export type LogTail = Awaited<ReturnType<typeof openLogTail>>;
