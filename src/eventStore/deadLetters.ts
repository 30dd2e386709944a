import type { EventStore, StoredEvent } from "./eventStore.ts";
import { envelopeOf, fieldOf } from "./eventStore.ts";

export interface DeadLetter {
  readonly id: string;
  readonly group: string;
  readonly partition: number;
  readonly entryId: string;
  readonly error: string;
  readonly deliveries: number;
  readonly deadAt: string;
  /** The stored body (`e`) and hash (`h`) of the event, as found in the log. */
  readonly raw: string;
  readonly hash: string;
}

/**
 * The dead-letter stream of one consumer group: entries its handler could not process.
 * Moving an entry here acknowledges it in the group, so the rest of the log keeps flowing.
 */
export const createDeadLetters = (store: EventStore, group: string) => {
  const key = store.keys.deadLetters(group);

  const add = async (logKey: string, partition: number, entryId: string, fields: readonly string[], error: string, deliveries: number) => {
    const optional = (name: string) => (fields.includes(name) ? fieldOf(fields, name) : "");
    await store.redis
      .multi()
      .xadd(key, "*", "group", group, "partition", partition, "entryId", entryId, "error", error,
        "deliveries", deliveries, "deadAt", new Date().toISOString(), "e", optional("e"), "h", optional("h"))
      .xack(logKey, group, entryId)
      .exec();
  };

  const list = async (count = 100): Promise<DeadLetter[]> => {
    const entries = await store.redis.xrange(key, "-", "+", "COUNT", count);
    return entries.map(([id, fields]) => ({
      id,
      group,
      partition: Number(fieldOf(fields, "partition")),
      entryId: fieldOf(fields, "entryId"),
      error: fieldOf(fields, "error"),
      deliveries: Number(fieldOf(fields, "deliveries")),
      deadAt: fieldOf(fields, "deadAt"),
      raw: fieldOf(fields, "e"),
      hash: fieldOf(fields, "h"),
    }));
  };

  /** Hands each dead letter to `handle` again; the ones that succeed leave the stream. */
  const replay = async (handle: (batch: readonly StoredEvent[], partition: number) => Promise<void>) => {
    let replayed = 0;
    for (const letter of await list(10_000)) {
      const event: StoredEvent = { partition: letter.partition, entryId: letter.entryId, envelope: envelopeOf(["e", letter.raw, "h", letter.hash]) };
      await handle([event], letter.partition);
      await store.redis.xdel(key, letter.id);
      replayed += 1;
    }
    return replayed;
  };

  return { key, add, list, replay, count: () => store.redis.xlen(key) };
};
