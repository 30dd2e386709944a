import type { RedisClient } from "../infra/redis.ts";
import type { WriteGuard } from "./writeGuard.ts";
import type { Envelope } from "../../events/envelope.ts";
import type { Keys } from "./keys.ts";

/**
 * What the event store's own modules share: its Redis client, its key names and its
 * partitioning. Only files in src/eventStore/ ever see this; everyone else calls the store.
 */
export interface StoreInternals {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly partitions: number;
  readonly partitionFor: (sessionId: string) => number;
  /** Every partition number, in order. */
  readonly allPartitions: readonly number[];
  /** Refuses writes while durability or the deployment cannot be trusted. */
  readonly guard: WriteGuard;
  /**
   * How partition logs may be read together in one XREAD(GROUP): all at once on one Redis, each
   * on its own on a cluster, which refuses a command over keys of several hash slots (CROSSSLOT).
   */
  readonly readSets: (partitions: readonly number[]) => (readonly number[])[];
  /** A connection of its own for blocking reads or pub/sub, named `<prefix><role>` and logged like the main one. */
  readonly duplicate: (role: string) => RedisClient;
}

/** An event as read from a partition log. */
export interface StoredEvent {
  readonly partition: number;
  readonly entryId: string;
  readonly envelope: Envelope;
}

/** XINFO / XPENDING replies come as flat [name, value, ...] arrays. */
export const infoRecord = (flat: readonly unknown[]): Record<string, unknown> => {
  const record: Record<string, unknown> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) record[String(flat[index])] = flat[index + 1];
  return record;
};
