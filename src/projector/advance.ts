import { sql } from "kysely";
import type { Logger } from "pino";
import type { Projection } from "../../projections/projection.ts";
import { toError } from "../errors.ts";
import type { EventStore, StoredEvent } from "../eventStore/eventStore.ts";
import { compareEntryIds, isAfter } from "../eventStore/position.ts";
import type { Database } from "../infra/database.ts";
import { lockPartition, readCheckpoint, writeCheckpoint } from "./checkpoints.ts";
import { applyEvents, type ProjectionTarget } from "./projectEvents.ts";

/** A chunk that failed inside its transaction (rolled back); carries what it tried to apply. */
class ChunkFailedError extends Error {
  override readonly name = "ChunkFailedError";
  readonly events: readonly StoredEvent[];
  constructor(cause: unknown, events: readonly StoredEvent[]) {
    super(toError(cause).message);
    this.events = events;
  }
}

export interface AdvanceHooks {
  /** Test seam: runs inside the transaction after the rows and checkpoint are written. */
  readonly beforeCommit?: (projection: string, partition: number, events: readonly StoredEvent[]) => void | Promise<void>;
}

export interface AdvanceDeps {
  readonly db: Database;
  readonly store: EventStore;
  readonly projection: Projection;
  readonly group: string;
  readonly logger: Logger;
  readonly hooks?: AdvanceHooks;
  readonly onCheckpoint: (partition: number, entryId: string) => void;
  /** Attempts of a lone failing event before it is dead-lettered. */
  readonly poisonAttempts?: number;
  readonly gapChunk?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Moves one projection's checkpoint in one partition up to the end of a delivered batch.
 *
 * Delivery order is not log order: a batch can arrive while older entries are still pending
 * with a dead consumer, or after a failed batch. Skipping "at or below the checkpoint" is only
 * safe if the checkpoint never jumps over an unapplied entry, so each step checks that the
 * batch starts right after the checkpoint and otherwise reads the gap from the log itself.
 * Redis is read before the transaction opens, never inside it: the transaction then checks,
 * under its lock, that the checkpoint is still the one the events were chosen for.
 */
export const createAdvancer = (deps: AdvanceDeps) => {
  const { db, store, projection } = deps;
  const target: ProjectionTarget = { projection, checkpointName: projection.name, schema: null };
  const deadLetters = store.deadLetters(deps.group);
  const poisonAttempts = deps.poisonAttempts ?? 3;
  const gapChunk = deps.gapChunk ?? 2000;

  /** The next run of events after `checkpoint`: the delivered ones when they follow it directly, else read from the log. */
  const chunkFor = async (partition: number, delivered: readonly StoredEvent[], checkpoint: string | null, end: string, limit: number) => {
    const fresh = delivered.filter((event) => isAfter(event.entryId, checkpoint));
    const first = fresh[0];
    if (first && (await store.firstEntryAfter(partition, checkpoint)) === first.entryId) return fresh.slice(0, limit);
    return store.readPartition(partition, checkpoint === null ? "-" : `(${checkpoint}`, end, Math.min(limit, gapChunk));
  };

  /**
   * Applies the next run of events and moves the checkpoint, in one transaction. The events are
   * chosen from Redis first; if another writer moved the checkpoint meanwhile, choose again.
   */
  const step = async (partition: number, delivered: readonly StoredEvent[], end: string, limit: number): Promise<{ last: string | null; done: boolean }> => {
    for (;;) {
      const checkpoint = await readCheckpoint(db, projection.name, partition);
      if (!isAfter(end, checkpoint)) return { last: checkpoint, done: true };
      const events = await chunkFor(partition, delivered, checkpoint, end, limit);
      const outcome = await db.transaction().execute(async (trx) => {
        await lockPartition(trx, projection.name, partition);
        if ((await readCheckpoint(trx, projection.name, partition)) !== checkpoint) return null;
        const last = events.at(-1)?.entryId ?? end;
        try {
          if (events.length === 0) await writeCheckpoint(trx, projection.name, partition, end); // trimmed away meanwhile
          else await applyEvents(trx, target, partition, events);
        } catch (error) {
          throw new ChunkFailedError(error, events);
        }
        // Outside the poison path: a failure here is like the process dying before commit.
        await deps.hooks?.beforeCommit?.(projection.name, partition, events);
        return { last, done: last === end };
      });
      if (outcome !== null) return outcome;
    }
  };

  /** Records the poison event in the group's dead letters, then moves the checkpoint past it. */
  const bury = async (partition: number, event: StoredEvent, error: string) => {
    await deadLetters.addEvent(event, error, poisonAttempts);
    await db.transaction().execute(async (trx) => {
      await lockPartition(trx, projection.name, partition);
      if (isAfter(event.entryId, await readCheckpoint(trx, projection.name, partition))) {
        await writeCheckpoint(trx, projection.name, partition, event.entryId);
      }
    });
    deps.logger.error({ projection: projection.name, partition, entryId: event.entryId, err: error }, "poison event moved to dead letters");
    deps.onCheckpoint(partition, event.entryId);
  };

  /** A lone event keeps failing while the database answers: it is the event, not the database. */
  const onLoneFailure = async (partition: number, failure: ChunkFailedError, attempts: Map<string, number>) => {
    const [event] = failure.events;
    if (!event) throw failure;
    const count = (attempts.get(event.entryId) ?? 0) + 1;
    attempts.set(event.entryId, count);
    if (count < poisonAttempts) return sleep(50 * count);
    await sql`select 1`.execute(db); // throws (batch stays pending) when the database is the problem
    await bury(partition, event, failure.message);
  };

  return async (partition: number, delivered: readonly StoredEvent[]): Promise<void> => {
    const end = delivered.at(-1)?.entryId;
    if (!end) return;
    let isolateUntil: string | null = null;
    const attempts = new Map<string, number>();
    for (;;) {
      try {
        const outcome = await step(partition, delivered, end, isolateUntil === null ? Number.MAX_SAFE_INTEGER : 1);
        if (outcome.last !== null) deps.onCheckpoint(partition, outcome.last);
        if (outcome.done) return;
        if (isolateUntil !== null && outcome.last !== null && compareEntryIds(outcome.last, isolateUntil) >= 0) isolateUntil = null;
      } catch (error) {
        if (!(error instanceof ChunkFailedError)) throw error;
        // Retry the failed run one event at a time to find the poison and keep the rest.
        if (error.events.length > 1) isolateUntil = error.events.at(-1)?.entryId ?? null;
        else await onLoneFailure(partition, error, attempts);
      }
    }
  };
};
