import type { EventStore } from "../eventStore/eventStore.ts";
import { createDeadLetters } from "../eventStore/deadLetters.ts";
import type { Database } from "../infra/database.ts";
import { listCheckpoints, projectionGroup } from "./checkpoints.ts";

export interface PartitionLag {
  readonly partition: number;
  readonly checkpoint: string | null;
  /** Log entries after the checkpoint (not delivered yet plus delivered but unacknowledged). */
  readonly behind: number;
  /** Age of the oldest event after the checkpoint, in ms; 0 when caught up. */
  readonly oldestUnprocessedAgeMs: number;
}

export interface ProjectionLag {
  readonly projection: string;
  readonly behind: number;
  readonly oldestUnprocessedAgeMs: number;
  readonly deadLetters: number;
  readonly partitions: readonly PartitionLag[];
}

type GroupInfo = { pending: number; lag: number | null };

const groupInfo = async (store: EventStore, key: string, group: string): Promise<GroupInfo | null> => {
  const raw = (await store.redis.xinfo("GROUPS", key).catch(() => [])) as unknown[][];
  for (const fields of raw) {
    const record = new Map<string, unknown>();
    for (let index = 0; index < fields.length; index += 2) record.set(String(fields[index]), fields[index + 1]);
    if (record.get("name") !== group) continue;
    const lag = record.get("lag");
    return { pending: Number(record.get("pending") ?? 0), lag: lag === null || lag === undefined ? null : Number(lag) };
  }
  return null;
};

const entryMs = (entryId: string): number => Number(entryId.split("-")[0] ?? 0);

const partitionLag = async (store: EventStore, group: string, partition: number, checkpoint: string | null, now: number): Promise<PartitionLag> => {
  const key = store.keys.partitionLog(partition);
  const [next] = await store.redis.xrange(key, checkpoint === null ? "-" : `(${checkpoint}`, "+", "COUNT", 1);
  if (!next) return { partition, checkpoint, behind: 0, oldestUnprocessedAgeMs: 0 };
  const info = await groupInfo(store, key, group);
  // Redis 7 reports the undelivered count as `lag`; it is null when it cannot tell (after deletions).
  const behind = info ? (info.lag ?? (await store.redis.xlen(key))) + info.pending : await store.redis.xlen(key);
  return { partition, checkpoint, behind: Math.max(behind, 1), oldestUnprocessedAgeMs: Math.max(0, now - entryMs(next[0])) };
};

/** Lag of each projection: entries behind and age of the oldest unprocessed event, per partition. */
export const readLag = async (deps: { db: Database; store: EventStore; projections: readonly string[] }): Promise<ProjectionLag[]> => {
  const checkpoints = await listCheckpoints(deps.db, deps.projections);
  const now = Date.now();
  const result: ProjectionLag[] = [];
  for (const projection of deps.projections) {
    const group = projectionGroup(projection);
    const partitions: PartitionLag[] = [];
    for (let partition = 0; partition < deps.store.partitions; partition += 1) {
      const checkpoint = checkpoints.find((row) => row.projection === projection && row.partition === partition)?.entryId ?? null;
      partitions.push(await partitionLag(deps.store, group, partition, checkpoint, now));
    }
    result.push({
      projection,
      behind: partitions.reduce((sum, row) => sum + row.behind, 0),
      oldestUnprocessedAgeMs: Math.max(0, ...partitions.map((row) => row.oldestUnprocessedAgeMs)),
      deadLetters: await createDeadLetters(deps.store, group).count(),
      partitions,
    });
  }
  return result;
};
