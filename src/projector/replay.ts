import type { Logger } from "pino";
import { archiveQueries } from "../../projections/archive.ts";
import type { Projection } from "../../projections/projection.ts";
import type { EventStore, StoredEvent } from "../eventStore/eventStore.ts";
import { isAfter } from "../eventStore/position.ts";
import type { Database } from "../infra/database.ts";
import { createArchiveReader, TamperedArchiveError } from "./archiveReader.ts";
import { lockPartition, readCheckpoint, writeCheckpoint } from "./checkpoints.ts";
import { applyEvents, type ProjectionTarget } from "./projectEvents.ts";
import { countRows, createShadowTables, currentSchema, dropSchema, schemaExists, shadowSchemaName, swapTables } from "./shadowSchema.ts";

export type ReplaySource = "redis" | "archive";

export interface ReplayProgress {
  readonly projection: string;
  readonly done: number;
  readonly total: number;
}

export interface ReplayOptions {
  readonly db: Database;
  readonly store: EventStore;
  readonly projection: Projection;
  readonly source: ReplaySource;
  readonly dryRun: boolean;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ReplayProgress) => void;
  readonly chunkSize?: number;
  /** Partitions rebuilt at once: reading one while Postgres writes another. */
  readonly concurrency?: number;
}

export interface ReplayOutcome {
  readonly projection: string;
  readonly status: "swapped" | "dry-run" | "interrupted";
  readonly resumed: boolean;
  readonly events: number;
  readonly skipped: number;
  readonly seconds: number;
  readonly tables: readonly { table: string; live: number; rebuilt: number }[];
}

type ReadChunk = (partition: number, after: string | null, limit: number) => Promise<StoredEvent[]>;

const redisChunks = (store: EventStore): ReadChunk => (partition, after, limit) =>
  store.readPartition(partition, after === null ? "-" : `(${after}`, "+", limit);

/** Where a rebuild reads from; `refuseUnsound` runs before anything is built. */
interface Source {
  readonly read: ReadChunk;
  readonly total: () => Promise<number>;
  readonly refuseUnsound: () => Promise<void>;
}

const refuseTrimmed = async (store: EventStore, projection: Projection) => {
  const trimmed = await store.trimmedPartitions();
  if (trimmed.length > 0) {
    throw new Error(
      `the partition logs ${trimmed.join(", ")} have been trimmed: a rebuild from Redis would miss history. ` +
        (projection.handles === "all" ? "The archive cannot be rebuilt from a trimmed log." : "Use --from archive."),
    );
  }
};

const sourceOf = (options: ReplayOptions): Source => {
  const { store } = options;
  if (options.source === "archive") {
    const reader = createArchiveReader(options.db, store.partitionFor);
    const archive = archiveQueries(options.db);
    return { read: reader.read, total: () => archive.count(), refuseUnsound: () => reader.checkPartitions(store.partitions) };
  }
  const total = async () => {
    let sum = 0;
    for (let partition = 0; partition < store.partitions; partition += 1) sum += await store.partitionLength(partition);
    return sum;
  };
  return { read: redisChunks(store), total, refuseUnsound: () => refuseTrimmed(store, options.projection) };
};

/** Throws a rebuild away: its shadow schema and its checkpoints. */
const discard = async (db: Database, shadow: string, checkpointName: string) => {
  await dropSchema(db, shadow);
  await db.deleteFrom("projection_checkpoints").where("projection", "=", checkpointName).execute();
};

/** The name under which a rebuild keeps its own progress, so an interrupted one resumes. */
export const rebuildCheckpointName = (projection: string): string => `${projection}@rebuild`;

/**
 * Rebuilds one projection from the history into a shadow schema while the live projector keeps
 * running, then swaps it in atomically (see `swap`). Interrupting (the signal) keeps the shadow
 * and its checkpoints; the next run resumes from them.
 */
export const replayProjection = async (options: ReplayOptions): Promise<ReplayOutcome> => {
  const { db, store, projection, logger } = options;
  const source = sourceOf(options);
  await source.refuseUnsound();
  const started = process.hrtime.bigint();
  const live = await currentSchema(db);
  const shadow = shadowSchemaName(live, projection.name);
  const checkpointName = rebuildCheckpointName(projection.name);
  const target: ProjectionTarget = { projection, checkpointName, schema: shadow };
  const resumed = await schemaExists(db, shadow);
  if (!resumed) {
    await db.deleteFrom("projection_checkpoints").where("projection", "=", checkpointName).execute();
    await createShadowTables(db, live, shadow, projection.tables);
  }
  const counters = { done: 0, skipped: 0, total: await source.total() };
  const report = () => options.onProgress?.({ projection: projection.name, done: counters.done, total: counters.total });
  const build = buildPartitions({ db, target, read: source.read, chunkSize: options.chunkSize ?? 2000, counters, report, logger,
    ...(options.signal ? { signal: options.signal } : {}) });
  const complete = await build(store.partitions, options.concurrency ?? 2).catch(async (error: unknown) => {
    // A rebuild that met a tampered archive is thrown away whole: none of it is swapped in or resumed.
    if (error instanceof TamperedArchiveError) await discard(db, shadow, checkpointName);
    throw error;
  });
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const outcome = (status: ReplayOutcome["status"], tables: ReplayOutcome["tables"]): ReplayOutcome =>
    ({ projection: projection.name, status, resumed, events: counters.done, skipped: counters.skipped, seconds: seconds(), tables });
  if (!complete) return outcome("interrupted", []);
  const tables = await Promise.all(projection.tables.map(async (table) => ({ table, live: await countRows(db, live, table), rebuilt: await countRows(db, shadow, table) })));
  if (options.dryRun) {
    await discard(db, shadow, checkpointName);
    return outcome("dry-run", tables);
  }
  await swap({ db, store, target, live, shadow });
  return outcome("swapped", tables);
};

interface BuildDeps {
  readonly db: Database;
  readonly target: ProjectionTarget;
  readonly read: ReadChunk;
  readonly chunkSize: number;
  readonly counters: { done: number; skipped: number };
  readonly report: () => void;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

/** Applies a chunk; a chunk that fails is retried event by event and the poison ones skipped, as the live projector does. */
const applyChunk = async (deps: BuildDeps, partition: number, events: readonly StoredEvent[]) => {
  try {
    await deps.db.transaction().execute((trx) => applyEvents(trx, deps.target, partition, events));
  } catch (error) {
    if (events.length === 1) {
      const [event] = events;
      deps.logger.warn({ projection: deps.target.projection.name, partition, entryId: event?.entryId, err: error }, "replay skipped an event it cannot apply");
      deps.counters.skipped += 1;
      await deps.db.transaction().execute((trx) => writeCheckpoint(trx, deps.target.checkpointName, partition, event?.entryId ?? ""));
      return;
    }
    for (const event of events) await applyChunk(deps, partition, [event]);
  }
};

const buildPartitions = (deps: BuildDeps) => {
  // The first failure stops every partition, so the caller can clean up after all of them.
  const failures: unknown[] = [];
  /** Reads the next chunk while the current one is written. False when interrupted or another partition failed. */
  const buildOne = async (partition: number): Promise<boolean> => {
    const checkpoint = await readCheckpoint(deps.db, deps.target.checkpointName, partition);
    let pending = deps.read(partition, checkpoint, deps.chunkSize);
    for (;;) {
      const events = await pending;
      const last = events.at(-1);
      if (!last) return true;
      if (deps.signal?.aborted || failures.length > 0) return false;
      pending = deps.read(partition, last.entryId, deps.chunkSize);
      pending.catch(() => undefined);
      await applyChunk(deps, partition, events);
      deps.counters.done += events.length;
      deps.report();
    }
  };
  return async (partitions: number, concurrency: number): Promise<boolean> => {
    const queue = Array.from({ length: partitions }, (_, index) => index);
    let complete = true;
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined && failures.length === 0; next = queue.shift()) {
        try {
          if (!(await buildOne(next))) complete = false;
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    if (failures.length > 0) throw failures[0];
    return complete;
  };
};

/**
 * Moves `target` in one partition from its checkpoint up to `end` with events read from Redis,
 * each run applied in a transaction that first checks, under the lock, that the checkpoint is
 * still where the run was read from (the live projector may be writing the same partition).
 */
const catchUpTo = async (db: Database, read: ReadChunk, target: ProjectionTarget, partition: number, end: string) => {
  for (;;) {
    const checkpoint = await readCheckpoint(db, target.checkpointName, partition);
    if (!isAfter(end, checkpoint)) return;
    const events = (await read(partition, checkpoint, 2000)).filter((event) => !isAfter(event.entryId, end));
    if (events.length === 0) return;
    await db.transaction().execute(async (trx) => {
      await lockPartition(trx, target.projection.name, partition);
      if ((await readCheckpoint(trx, target.checkpointName, partition)) === checkpoint) await applyEvents(trx, target, partition, events);
    });
  }
};

/**
 * The swap. First the rebuild catches up with the live checkpoints (read from the Redis logs,
 * outside any transaction). Then one transaction holding every partition's projector lock
 * points the live checkpoints at where the rebuild got and puts the shadow tables in place of
 * the live ones. Whatever the live projector committed in between (its checkpoint had moved on
 * past the rebuild's) is applied to the swapped-in tables right after, from the log.
 */
const swap = async (deps: { db: Database; store: EventStore; target: ProjectionTarget; live: string; shadow: string }) => {
  const { db, store, target } = deps;
  const { projection, checkpointName } = target;
  const read = redisChunks(store);
  for (let partition = 0; partition < store.partitions; partition += 1) {
    const liveCheckpoint = await readCheckpoint(db, projection.name, partition);
    if (liveCheckpoint !== null) await catchUpTo(db, read, target, partition, liveCheckpoint);
  }
  const behind: { partition: number; end: string }[] = [];
  await db.transaction().execute(async (trx) => {
    for (let partition = 0; partition < store.partitions; partition += 1) await lockPartition(trx, projection.name, partition);
    for (let partition = 0; partition < store.partitions; partition += 1) {
      const liveCheckpoint = await readCheckpoint(trx, projection.name, partition);
      const rebuilt = await readCheckpoint(trx, checkpointName, partition);
      if (liveCheckpoint !== null && isAfter(liveCheckpoint, rebuilt)) behind.push({ partition, end: liveCheckpoint });
      if (rebuilt !== null) await writeCheckpoint(trx, projection.name, partition, rebuilt);
      else await trx.deleteFrom("projection_checkpoints").where("projection", "=", projection.name).where("partition", "=", partition).execute();
    }
    await trx.deleteFrom("projection_checkpoints").where("projection", "=", checkpointName).execute();
    await swapTables(trx, deps.live, deps.shadow, projection.tables);
  });
  const live: ProjectionTarget = { projection, checkpointName: projection.name, schema: null };
  for (const { partition, end } of behind) await catchUpTo(db, read, live, partition, end);
};
