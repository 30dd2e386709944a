import type { Logger } from "pino";
import { compareEntryIds } from "./position.ts";
import { infoRecord, type StoreInternals } from "./internals.ts";

/**
 * The oldest entry of a partition log that some consumer group still needs: its oldest
 * pending entry, or the one after the last it was given. Null when a required group (the
 * archive, say) does not exist yet: nothing may be trimmed before it has committed.
 */
const safeTrimPoint = async (internals: StoreInternals, partition: number, requiredGroups: readonly string[]): Promise<string | null> => {
  const { redis, keys } = internals;
  const key = keys.partitionLog(partition);
  const groups = ((await redis.xinfo("GROUPS", key)) as unknown[][]).map(infoRecord);
  const names = new Set(groups.map((group) => String(group.name)));
  if (requiredGroups.some((name) => !names.has(name)) || groups.length === 0) return null;
  let point: string | null = null;
  for (const group of groups) {
    const [count, oldestPending] = (await redis.xpending(key, String(group.name))) as [number, string | null];
    const needed = count > 0 && oldestPending ? oldestPending : String(group["last-delivered-id"]);
    if (point === null || compareEntryIds(needed, point) < 0) point = needed;
  }
  return point;
};

/** The last entry of a partition that the archive has committed (its checkpoint), if any. */
export type ArchivedUpTo = (partition: number) => Promise<string | null>;

const earlier = (a: string, b: string) => (compareEntryIds(a, b) <= 0 ? a : b);

/**
 * Trims every partition log below what all consumer groups have acknowledged and what the
 * archive has committed (DESIGN §3 "Retention"): an acknowledgement alone is not enough, since
 * an entry may have been acknowledged as a dead letter. Session streams are never trimmed here.
 * Returns how many entries went.
 */
export const trimPartitionLogs = async (internals: StoreInternals, requiredGroups: readonly string[], archivedUpTo: ArchivedUpTo): Promise<number> => {
  let trimmed = 0;
  for (const partition of internals.allPartitions) {
    const [point, archived] = await Promise.all([safeTrimPoint(internals, partition, requiredGroups), archivedUpTo(partition)]);
    if (!point || !archived || point === "0-0") continue;
    trimmed += await internals.redis.xtrim(internals.keys.partitionLog(partition), "MINID", earlier(point, archived));
  }
  return trimmed;
};

/**
 * Partitions whose log no longer holds every entry ever added (trimmed, or entries deleted).
 * A rebuild read from such a log would silently miss history.
 */
export const trimmedPartitions = async (internals: StoreInternals): Promise<number[]> => {
  const trimmed: number[] = [];
  for (const partition of internals.allPartitions) {
    const info = infoRecord((await internals.redis.xinfo("STREAM", internals.keys.partitionLog(partition)).catch(() => [])) as unknown[]);
    if (Number(info["entries-added"] ?? 0) > Number(info.length ?? 0)) trimmed.push(partition);
  }
  return trimmed;
};

/** Runs `trim` every `intervalMs` in the background; failures are logged. */
export const startRetention = (trim: () => Promise<number>, logger: Logger, intervalMs = 60_000) => {
  const timer = setInterval(() => {
    trim().then(
      (trimmed) => trimmed > 0 && logger.info({ trimmed }, "partition logs trimmed"),
      (error: unknown) => logger.warn({ err: error }, "partition log trimming failed"),
    );
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
