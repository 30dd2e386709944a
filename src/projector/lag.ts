import type { EventStore } from "../eventStore/eventStore.ts";
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

const entryMs = (entryId: string): number => Number(entryId.split("-")[0] ?? 0);

const partitionLag = async (store: EventStore, group: string, partition: number, checkpoint: string | null, now: number): Promise<PartitionLag> => {
  const next = await store.firstEntryAfter(partition, checkpoint);
  if (next === null) return { partition, checkpoint, behind: 0, oldestUnprocessedAgeMs: 0 };
  const info = await store.groupInfo(partition, group);
  // Redis 7 reports the undelivered count as `lag`; it is null when it cannot tell (after deletions).
  const behind = info ? (info.lag ?? (await store.partitionLength(partition))) + info.pending : await store.partitionLength(partition);
  return { partition, checkpoint, behind: Math.max(behind, 1), oldestUnprocessedAgeMs: Math.max(0, now - entryMs(next)) };
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
      deadLetters: await deps.store.deadLetters(group).count(),
      partitions,
    });
  }
  return result;
};
