import { decodeEvent, type DecodedEvent } from "../../events/registry.ts";
import type { ProjectedEvent, Projection, ReadModelDb } from "../../projections/projection.ts";
import type { StoredEvent } from "../eventStore/eventStore.ts";
import type { Database } from "../infra/database.ts";
import { writeCheckpoint, writeCheckpoints } from "./checkpoints.ts";

/** An event of a type the projection handles that this build cannot decode: it is poison. */
export class PoisonEventError extends Error {
  override readonly name = "PoisonEventError";
}

/** Where a projection writes: its tables (maybe in a shadow schema) and its checkpoint name. */
export interface ProjectionTarget {
  readonly projection: Projection;
  readonly checkpointName: string;
  /** A schema holding shadow copies of the projection's tables, or null for the live ones. */
  readonly schema: string | null;
}

const lazyDecoded = (stored: StoredEvent): ProjectedEvent<DecodedEvent> => {
  let decoded: DecodedEvent | undefined;
  return {
    partition: stored.partition,
    entryId: stored.entryId,
    envelope: stored.envelope,
    get event() {
      decoded ??= decodeEvent(stored.envelope);
      return decoded;
    },
  };
};

/**
 * The events of a batch the projection declared, decoded. The projector never looks at event
 * types beyond this membership test.
 */
export const selectEvents = (projection: Projection, batch: readonly StoredEvent[]): ProjectedEvent<DecodedEvent>[] => {
  if (projection.handles === "all") return batch.map(lazyDecoded);
  const wanted = new Set<string>(projection.handles);
  const selected: ProjectedEvent<DecodedEvent>[] = [];
  for (const stored of batch) {
    if (!wanted.has(stored.envelope.type)) continue;
    const event = decodeEvent(stored.envelope);
    if (!event.known) throw new PoisonEventError(`${stored.partition}:${stored.entryId} (${stored.envelope.type}): ${event.problem}`);
    selected.push({ partition: stored.partition, entryId: stored.entryId, envelope: stored.envelope, event });
  }
  return selected;
};

const handlerDb = (trx: Database, schema: string | null): ReadModelDb => (schema === null ? trx : trx.withSchema(schema));

/** One handler call for the events of several partitions (a session's events all sit in one partition, in order). */
const handleSelected = async (trx: Database, target: ProjectionTarget, selected: readonly ProjectedEvent<DecodedEvent>[]) => {
  if (selected.length === 0) return;
  // The union type narrows per variant; both accept what selectEvents produced for them.
  await (target.projection.handle as (events: readonly ProjectedEvent<DecodedEvent>[], db: ReadModelDb) => Promise<void>)(selected, handlerDb(trx, target.schema));
};

/** Applies a contiguous run of one partition's events and moves the checkpoint to its end. */
export const applyEvents = async (trx: Database, target: ProjectionTarget, partition: number, events: readonly StoredEvent[]) => {
  const last = events.at(-1);
  if (!last) return;
  await handleSelected(trx, target, selectEvents(target.projection, events));
  await writeCheckpoint(trx, target.checkpointName, partition, last.entryId);
};

/** Applies contiguous runs of several partitions with one handler call, and moves each one's checkpoint to its end. */
export const applyRuns = async (trx: Database, target: ProjectionTarget, runs: readonly { partition: number; events: readonly StoredEvent[] }[]) => {
  const nonEmpty = runs.filter((run) => run.events.length > 0);
  await handleSelected(trx, target, nonEmpty.flatMap((run) => selectEvents(target.projection, run.events)));
  await writeCheckpoints(trx, target.checkpointName, nonEmpty.map((run) => ({ partition: run.partition, entryId: (run.events.at(-1) as StoredEvent).entryId })));
};
