import type { Redis } from "ioredis";
import { formatPosition } from "../eventStore/position.ts";
import { envelopeOf, fieldOf, type EventStore } from "../eventStore/eventStore.ts";
import type { AuditEvent } from "./eventsQuery.ts";

/** How long one blocking read waits; also how soon an abort is noticed. */
const BLOCK_MS = 1000;

const logEnd = async (redis: Redis, key: string): Promise<string> => {
  const [last] = await redis.xrevrange(key, "+", "-", "COUNT", 1);
  return last?.[0] ?? "0-0";
};

/**
 * Live events as they are appended (from now on), from every partition log or only the one
 * of `sessionId`. Reads on a connection of its own: a blocking XREAD would stall every other
 * command on a shared one. `onReady` is called once the starting point is fixed. Ends when
 * `signal` aborts.
 */
export async function* tailEvents(
  store: EventStore,
  options: { sessionId?: string; signal?: AbortSignal; onReady?: () => void } = {},
): AsyncGenerator<AuditEvent> {
  const partitions = options.sessionId === undefined ? Array.from({ length: store.partitions }, (_, index) => index) : [store.partitionFor(options.sessionId)];
  const keys = partitions.map((partition) => store.keys.partitionLog(partition));
  const partitionOfKey = new Map(keys.map((key, index) => [key, partitions[index] ?? 0]));
  const redis = store.redis.duplicate();
  try {
    const ids = await Promise.all(keys.map((key) => logEnd(redis, key)));
    // From here on nothing appended is missed.
    options.onReady?.();
    while (!options.signal?.aborted) {
      // A fresh BLOCK each round: a read blocked across a reconnect can hang (DESIGN §3), this one times out.
      const reply = await redis.xread("COUNT", 500, "BLOCK", BLOCK_MS, "STREAMS", ...keys, ...ids);
      for (const [key, entries] of reply ?? []) {
        const index = keys.indexOf(key);
        for (const [entryId, fields] of entries) {
          ids[index] = entryId;
          if (options.sessionId !== undefined && fieldOf(fields, "s") !== options.sessionId) continue;
          yield { position: formatPosition(partitionOfKey.get(key) ?? 0, entryId), ...envelopeOf(fields) };
        }
      }
    }
  } finally {
    redis.disconnect();
  }
}
