import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { RedisClient } from "../infra/redis.ts";
import { toError } from "../errors.ts";
import { envelopeOfFields } from "./entryCodec.ts";
import { createDeadLetters } from "./deadLetters.ts";
import type { StoredEvent, StoreInternals } from "./internals.ts";
import { raceWithWatchdog } from "./watchdog.ts";

export interface SubscriptionOptions {
  readonly group: string;
  readonly logger: Logger;
  /** Applies one partition's batch. Throwing leaves the batch unacknowledged for redelivery. */
  readonly handle: (batch: readonly StoredEvent[], partition: number) => Promise<void>;
  /**
   * Applies what one read delivered from several partitions at once (each run in log order);
   * throwing leaves all of it unacknowledged. Without it, `handle` takes them one by one.
   */
  readonly handleRuns?: (runs: readonly PartitionRun[]) => Promise<void>;
  readonly consumer?: string;
  readonly batchSize?: number;
  readonly blockMs?: number;
  /** Deliveries after which an entry moves to the dead-letter stream. */
  readonly maxDeliveries?: number;
  /** A pending entry idle this long is taken over (its consumer died or its handler failed). */
  readonly claimIdleMs?: number;
  readonly partitions?: readonly number[];
  /**
   * Under load, read at most once per window (ms): the entries that arrive meanwhile make one
   * bigger batch instead of many small ones. A read that blocked longer than the window (an idle
   * log) is followed by the next at once, so the first entry after a quiet spell waits for nothing.
   */
  readonly batchWindowMs?: number;
}

/** One partition's share of a read. */
export interface PartitionRun {
  readonly partition: number;
  readonly batch: readonly StoredEvent[];
}

type Entry = [id: string, fields: string[]];
type PendingRow = [id: string, consumer: string, idleMs: number, deliveries: number];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const consumerName = (): string => `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

/**
 * A consumer group member over the partition logs: batch reads, ack after the handler
 * succeeds, takeover of idle pending entries (XPENDING + XCLAIM, so delivery counts are
 * known), dead letters after `maxDeliveries`, and a watchdog around the blocking read.
 */
export const createSubscription = (internals: StoreInternals, options: SubscriptionOptions) => {
  const { redis, keys } = internals;
  const { group, logger } = options;
  const consumer = options.consumer ?? consumerName();
  const batchSize = options.batchSize ?? 200;
  const blockMs = options.blockMs ?? 2000;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const batchWindowMs = options.batchWindowMs ?? 0;
  const partitions = options.partitions ?? internals.allPartitions;
  const logKeys = partitions.map((partition) => keys.partitionLog(partition));
  const partitionByKey = new Map(logKeys.map((key, index) => [key, partitions[index] ?? 0]));
  const deadLetters = createDeadLetters(internals, group);
  const lastErrors = new Map<string, string>();
  const log = logger.child({ group, consumer });
  let readers: { connection: RedisClient; loop: Promise<void> }[] = [];
  let running = false;

  const ensureGroups = async () => {
    for (const key of logKeys) {
      try {
        await redis.xgroup("CREATE", key, group, "0", "MKSTREAM");
      } catch (error) {
        if (!toError(error).message.includes("BUSYGROUP")) throw error;
      }
    }
  };

  const toStored = async (partition: number, entries: readonly Entry[]): Promise<StoredEvent[]> => {
    const batch: StoredEvent[] = [];
    for (const [entryId, fields] of entries) {
      try {
        batch.push({ partition, entryId, envelope: envelopeOfFields(entryId, fields) });
      } catch (error) {
        // A malformed entry can never succeed: dead-letter it at once and keep going.
        await deadLetters.add(partition, entryId, fields, toError(error).message, 1);
      }
    }
    return batch;
  };

  const handleBatch = async (partition: number, batch: readonly StoredEvent[]): Promise<boolean> => {
    if (batch.length === 0) return true;
    try {
      await options.handle(batch, partition);
      await redis.xack(keys.partitionLog(partition), group, ...batch.map((event) => event.entryId));
      return true;
    } catch (error) {
      const message = toError(error).message;
      for (const event of batch) lastErrors.set(event.entryId, message);
      log.warn({ partition, entries: batch.length, err: message }, "handler failed; entries stay pending");
      return false;
    }
  };

  /** Several partitions' batches through `handleRuns`, acknowledged together once it succeeds. */
  const handleRuns = async (runs: readonly PartitionRun[]): Promise<void> => {
    const some = runs.filter((run) => run.batch.length > 0);
    if (some.length === 0) return;
    if (some.length === 1 || !options.handleRuns) {
      for (const { partition, batch } of some) await handleBatch(partition, batch);
      return;
    }
    try {
      await options.handleRuns(some);
      await Promise.all(some.map(({ partition, batch }) => redis.xack(keys.partitionLog(partition), group, ...batch.map((event) => event.entryId))));
    } catch (error) {
      const message = toError(error).message;
      for (const event of some.flatMap((run) => run.batch)) lastErrors.set(event.entryId, message);
      log.warn({ partitions: some.map((run) => run.partition), err: message }, "handler failed; entries stay pending");
    }
  };

  /** Takes over idle pending entries one at a time, so one poison entry cannot block a batch. */
  const reclaim = async (some: readonly number[] = partitions) => {
    for (const partition of some) {
      const key = keys.partitionLog(partition);
      const rows = (await redis.xpending(key, group, "IDLE", claimIdleMs, "-", "+", batchSize)) as PendingRow[];
      for (const [entryId, , , deliveries] of rows) {
        if (!running) return;
        if (deliveries >= maxDeliveries) {
          const entries = (await redis.xrange(key, entryId, entryId)) as Entry[];
          const reason = lastErrors.get(entryId) ?? `not acknowledged after ${deliveries} deliveries`;
          await deadLetters.add(partition, entryId, entries[0]?.[1] ?? [], reason, deliveries);
          lastErrors.delete(entryId);
          continue;
        }
        const claimed = (await redis.xclaim(key, group, consumer, claimIdleMs, entryId)) as Entry[];
        const batch = await toStored(partition, claimed.filter(([, fields]) => fields !== null));
        if (await handleBatch(partition, batch)) lastErrors.delete(entryId);
      }
    }
  };

  // The watchdog (taskforcesh/bullmq#1658) recycles a connection whose blocked XREADGROUP hangs.
  const readWithWatchdog = (connection: RedisClient, readKeys: readonly string[]): Promise<[string, Entry[]][] | null> => {
    const read = connection.xreadgroup(
      "GROUP", group, consumer, "COUNT", batchSize, "BLOCK", blockMs, "STREAMS", ...readKeys, ...readKeys.map(() => ">"),
    ) as Promise<[string, Entry[]][] | null>;
    return raceWithWatchdog(connection, read, blockMs + 5000, () => log.warn("blocking read exceeded its deadline; reconnecting"));
  };

  /** One reader: a blocking read over the logs it may read together, and reclaims of their pending entries. */
  const createReader = (some: readonly number[]) => {
    const readKeys = some.map((partition) => keys.partitionLog(partition));
    let lastReclaim = 0;
    let lastRead = 0;
    return async (connection: RedisClient) => {
      if (Date.now() - lastReclaim >= Math.min(claimIdleMs, 5000)) {
        lastReclaim = Date.now();
        await reclaim(some);
      }
      const wait = lastRead + batchWindowMs - Date.now();
      if (wait > 0) await sleep(wait);
      lastRead = Date.now();
      const streams = await readWithWatchdog(connection, readKeys);
      const runs: PartitionRun[] = [];
      for (const [key, entries] of streams ?? []) {
        const partition = partitionByKey.get(key) ?? 0;
        runs.push({ partition, batch: await toStored(partition, entries) });
      }
      await handleRuns(runs);
    };
  };

  /**
   * A failed read is retried; its error is logged once, not on every retry. Groups that vanished
   * (NOGROUP) are made again, unless Redis lost the deployment's data: then the subscription
   * waits quietly until the data is restored (the guard says so), instead of looping.
   */
  const recover = async (error: unknown, lastError: string): Promise<string> => {
    const message = toError(error).message;
    if (message !== lastError) log.error({ err: message }, "subscription read failed; retrying");
    if (message.includes("NOGROUP") && !internals.guard.refused("redis_data_lost")) await ensureGroups().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, internals.guard.refused("redis_data_lost") ? 1000 : 200));
    return message;
  };

  const run = async (connection: RedisClient, runOnce: (connection: RedisClient) => Promise<void>) => {
    let lastError = "";
    while (running) {
      try {
        await runOnce(connection);
        if (lastError !== "") log.info("subscription reading again");
        lastError = "";
      } catch (error) {
        if (!running) break;
        lastError = await recover(error, lastError);
      }
    }
  };

  return {
    group,
    consumer,
    deadLetters,
    async start() {
      if (running) return;
      await ensureGroups();
      running = true;
      // One blocking connection per set of logs read together (one set on a single Redis, one per partition on a cluster).
      readers = internals.readSets(partitions).map((some) => {
        const connection = internals.duplicate(`group-${group}`);
        return { connection, loop: run(connection, createReader(some)) };
      });
    },
    /** Stops reading; an in-flight batch finishes (and is acked) before this resolves. */
    async stop() {
      if (!running) return;
      running = false;
      for (const reader of readers) reader.connection.disconnect();
      await Promise.all(readers.map((reader) => reader.loop));
      readers = [];
    },
    /** Runs one reclaim pass now (the loop also does this periodically). */
    reclaim: () => reclaim(),
  };
};

export type Subscription = ReturnType<typeof createSubscription>;
