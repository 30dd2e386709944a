import type { Logger } from "pino";
import type { Projection } from "../../projections/projection.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import { consumerName, type Subscription } from "../eventStore/subscription.ts";
import type { Database } from "../infra/database.ts";
import { isDatabaseUnavailable } from "../infra/outages.ts";
import { createAdvancer, type AdvanceHooks } from "./advance.ts";
import { createRunsAdvancer } from "./advanceRuns.ts";
import { projectionGroup } from "./checkpoints.ts";
import { readLag, type ProjectionLag } from "./lag.ts";

export { projectionGroup };

export interface ProjectorOptions {
  readonly store: EventStore;
  readonly db: Database;
  readonly projections: readonly Projection[];
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly blockMs?: number;
  /** Under load, each lane reads at most once per window (ms), so batches grow instead of transactions multiplying (default 100, PROJECTOR_BATCH_WINDOW_MS). */
  readonly batchWindowMs?: number;
  readonly claimIdleMs?: number;
  readonly maxDeliveries?: number;
  readonly consumer?: string;
  readonly partitions?: readonly number[];
  /**
   * Subscriptions per projection, each over its share of the partitions (default 1: a read's
   * partitions commit in one transaction, so more lanes only mean more transactions).
   */
  readonly lanes?: number;
  readonly hooks?: AdvanceHooks;
  /** Called with a problem while Postgres is away (projections paused), and with null once they resume. */
  readonly onOutage?: (problem: string | null) => void;
}

export type CheckpointListener = (projection: string, partition: number, entryId: string) => void;

/**
 * The generic projector: one consumer group per projection over the partition logs. Each
 * delivered batch is applied together with its checkpoint in one Postgres transaction, then
 * acknowledged. It knows projections only as data (name, handled types, handler).
 */
export const createProjector = (options: ProjectorOptions) => {
  const { store, db, projections, logger } = options;
  const listeners = new Set<CheckpointListener>();
  const notify: CheckpointListener = (projection, partition, entryId) => {
    for (const listener of listeners) {
      try {
        listener(projection, partition, entryId);
      } catch (error) {
        logger.warn({ err: error }, "checkpoint listener failed");
      }
    }
  };

  let stopping = false;
  let paused = 0;
  const wakers = new Set<() => void>();
  /** A pause that stop() cuts short. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        wakers.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  /**
   * While Postgres is away a batch is retried in place (it stays unacknowledged and in order)
   * with backoff, instead of failing and waiting for the pending-entry takeover: the
   * projection pauses, and catches up as soon as the database answers.
   */
  const whileAway = async (apply: () => Promise<void>) => {
    for (let delay = 200, outage = false; ; delay = Math.min(delay * 2, 5000)) {
      try {
        await apply();
        if (outage && --paused === 0) {
          logger.info("projections: postgres is back; catching up");
          options.onOutage?.(null);
        }
        return;
      } catch (error) {
        if (stopping || !isDatabaseUnavailable(error)) throw error;
        if (!outage && paused++ === 0) {
          logger.warn({ err: (error as Error).message }, "projections: postgres unreachable; paused until it is back");
          options.onOutage?.("postgres unreachable: projections paused, reads answer 503");
        }
        outage = true;
        await sleep(delay);
      }
    }
  };

  const partitions = options.partitions ?? Array.from({ length: store.partitions }, (_, index) => index);
  const lanes = Math.max(1, Math.min(options.lanes ?? 1, partitions.length));
  // Each lane reads its own share of the partitions; a partition always stays in one lane,
  // which keeps its order.
  const laneOf = (lane: number) => partitions.filter((_, index) => index % lanes === lane);

  const subscriptions: Subscription[] = projections.flatMap((projection) => {
    const group = projectionGroup(projection.name);
    const deps = {
      db, store, projection, group, logger: logger.child({ projection: projection.name }),
      onCheckpoint: (partition: number, entryId: string) => notify(projection.name, partition, entryId),
      ...(options.hooks ? { hooks: options.hooks } : {}),
    };
    const advance = createAdvancer(deps);
    const advanceTogether = createRunsAdvancer(deps);
    const consumer = options.consumer ?? consumerName();
    return Array.from({ length: lanes }, (_, lane) => store.subscribe({
      group, logger,
      handle: (batch, partition) => whileAway(() => advance(partition, batch)),
      // A read's partitions in one transaction when they simply follow their checkpoints; else one by one.
      handleRuns: (runs) => whileAway(async () => {
        if (await advanceTogether(runs)) return;
        for (const { partition, batch } of runs) await advance(partition, batch);
      }),
      batchSize: options.batchSize ?? 1000,
      batchWindowMs: options.batchWindowMs ?? 100,
      consumer: lanes === 1 ? consumer : `${consumer}-${lane}`,
      partitions: laneOf(lane),
      ...(options.blockMs !== undefined ? { blockMs: options.blockMs } : {}),
      ...(options.claimIdleMs !== undefined ? { claimIdleMs: options.claimIdleMs } : {}),
      // Poison events are buried by the advancer, which first checks that Postgres answers; the
      // subscription itself must never dead-letter (and so acknowledge) an entry during an outage.
      maxDeliveries: options.maxDeliveries ?? Number.POSITIVE_INFINITY,
    }));
  });

  return {
    projections: projections.map((projection) => projection.name),
    async start() {
      for (const subscription of subscriptions) await subscription.start();
      logger.info({ projections: projections.map((projection) => projection.name) }, "projector started");
    },
    /** Stops reading; batches in flight commit (and are acknowledged) first. */
    async stop() {
      stopping = true;
      for (const wake of [...wakers]) wake();
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    },
    /** Called after every committed checkpoint in this process (read-your-writes listens). */
    onCheckpoint(listener: CheckpointListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    lag: (): Promise<ProjectionLag[]> => readLag({ db, store, projections: projections.map((projection) => projection.name) }),
    deadLetters: (name: string) => store.deadLetters(projectionGroup(name)),
  };
};

export type Projector = ReturnType<typeof createProjector>;
