import type { StoredEvent } from "../eventStore/eventStore.ts";
import type { PartitionRun } from "../eventStore/subscription.ts";
import { isAfter } from "../eventStore/position.ts";
import { lockPartitions, readCheckpoints } from "./checkpoints.ts";
import type { AdvanceDeps } from "./advance.ts";
import { applyRuns, type ProjectionTarget } from "./projectEvents.ts";

interface Fresh {
  readonly partition: number;
  readonly events: readonly StoredEvent[];
}

/** A handler failure inside the joint transaction: it rolled back, and the runs go one by one. */
class JointFailedError extends Error {
  override readonly name = "JointFailedError";
}

/**
 * One read's runs from several partitions in one transaction: one lock statement, one checkpoint
 * read, one handler call, one checkpoint write, one commit, where one partition at a time takes
 * that many per partition. Under load this is what a step costs, so it is what a batch costs.
 *
 * Only the plain case is taken here: every run starts right after its partition's checkpoint
 * (checked against the log before the transaction, and the checkpoints again under the locks),
 * and the handler succeeds. Anything else (a gap, a checkpoint another writer moved, a failing
 * event) answers false, having written nothing, and the caller advances the partitions one by
 * one (advance.ts), which reads gaps and isolates poison.
 */
export const createRunsAdvancer = (deps: AdvanceDeps) => {
  const { db, store, projection } = deps;
  const target: ProjectionTarget = { projection, checkpointName: projection.name, schema: null };

  /** The delivered events after each checkpoint, or null when one run does not follow its checkpoint directly. */
  const freshRuns = async (runs: readonly PartitionRun[], checkpoints: Map<number, string | null>): Promise<Fresh[] | null> => {
    const fresh = runs
      .map(({ partition, batch }) => ({ partition, events: batch.filter((event) => isAfter(event.entryId, checkpoints.get(partition) ?? null)) }))
      .filter((run) => run.events.length > 0);
    const firsts = await Promise.all(fresh.map(({ partition }) => store.firstEntryAfter(partition, checkpoints.get(partition) ?? null)));
    return fresh.every((run, index) => run.events[0]?.entryId === firsts[index]) ? fresh : null;
  };

  const sameCheckpoints = (a: Map<number, string | null>, b: Map<number, string | null>) => [...a].every(([partition, entryId]) => b.get(partition) === entryId);

  /**
   * The checkpoints this advancer committed last: a guess that saves a query per read. It is
   * only ever a guess: the transaction compares it with the stored ones under the locks, and
   * any miss forgets it, so the next read asks Postgres again.
   */
  const committed = new Map<number, string | null>();
  const expected = async (partitions: readonly number[]) =>
    partitions.every((partition) => committed.has(partition))
      ? new Map(partitions.map((partition) => [partition, committed.get(partition) ?? null]))
      : readCheckpoints(db, projection.name, partitions);

  const attempt = async (runs: readonly PartitionRun[], partitions: readonly number[]): Promise<boolean> => {
    const checkpoints = await expected(partitions);
    const fresh = await freshRuns(runs, checkpoints);
    if (fresh === null) return false;
    if (fresh.length === 0) return true;
    try {
      const applied = await db.transaction().execute(async (trx) => {
        await lockPartitions(trx, projection.name, fresh.map((run) => run.partition));
        if (!sameCheckpoints(checkpoints, await readCheckpoints(trx, projection.name, partitions))) return false;
        await applyRuns(trx, target, fresh).catch((error: unknown) => {
          throw new JointFailedError(error instanceof Error ? error.message : String(error));
        });
        for (const run of fresh) await deps.hooks?.beforeCommit?.(projection.name, run.partition, run.events);
        return true;
      });
      if (!applied) return false;
    } catch (error) {
      if (error instanceof JointFailedError) return false;
      throw error;
    }
    for (const run of fresh) {
      const last = (run.events.at(-1) as StoredEvent).entryId;
      committed.set(run.partition, last);
      deps.onCheckpoint(run.partition, last);
    }
    return true;
  };

  return async (runs: readonly PartitionRun[]): Promise<boolean> => {
    const partitions = runs.map((run) => run.partition);
    const applied = await attempt(runs, partitions).catch((error: unknown) => {
      for (const partition of partitions) committed.delete(partition);
      throw error;
    });
    if (!applied) for (const partition of partitions) committed.delete(partition);
    return applied;
  };
};
