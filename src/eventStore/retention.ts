import type { Logger } from "pino";
import { compareEntryIds } from "./position.ts";
import type { EventStore } from "./eventStore.ts";

type GroupInfo = Record<string, string | number | null>;

const toRecord = (flat: unknown[]): GroupInfo => {
  const record: GroupInfo = {};
  for (let index = 0; index < flat.length; index += 2) record[String(flat[index])] = flat[index + 1] as string | number | null;
  return record;
};

/**
 * The oldest entry of a partition log that some consumer group still needs: its oldest
 * pending entry, or the one after the last it was given. Null when a required group (the
 * archive, say) does not exist yet: nothing may be trimmed before it has committed.
 */
export const safeTrimPoint = async (store: EventStore, partition: number, requiredGroups: readonly string[]): Promise<string | null> => {
  const key = store.keys.partitionLog(partition);
  const groups = ((await store.redis.xinfo("GROUPS", key)) as unknown[][]).map(toRecord);
  const names = new Set(groups.map((group) => String(group.name)));
  if (requiredGroups.some((name) => !names.has(name)) || groups.length === 0) return null;
  let point: string | null = null;
  for (const group of groups) {
    const [count, oldestPending] = (await store.redis.xpending(key, String(group.name))) as [number, string | null];
    const needed = count > 0 && oldestPending ? oldestPending : String(group["last-delivered-id"]);
    if (point === null || compareEntryIds(needed, point) < 0) point = needed;
  }
  return point;
};

/**
 * Trims every partition log below what all consumer groups have acknowledged (DESIGN §3
 * "Retention"). Session streams are never trimmed here. Returns how many entries went.
 */
export const trimPartitionLogs = async (store: EventStore, requiredGroups: readonly string[]): Promise<number> => {
  let trimmed = 0;
  for (let partition = 0; partition < store.partitions; partition += 1) {
    const point = await safeTrimPoint(store, partition, requiredGroups);
    if (point && point !== "0-0") trimmed += await store.redis.xtrim(store.keys.partitionLog(partition), "MINID", point);
  }
  return trimmed;
};

/** Trims the partition logs every `intervalMs` in the background; failures are logged. */
export const startRetention = (store: EventStore, requiredGroups: readonly string[], logger: Logger, intervalMs = 60_000) => {
  const timer = setInterval(() => {
    trimPartitionLogs(store, requiredGroups).then(
      (trimmed) => trimmed > 0 && logger.info({ trimmed }, "partition logs trimmed"),
      (error: unknown) => logger.warn({ err: error }, "partition log trimming failed"),
    );
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
