import { envelopeOfRaw, eventFields, fieldsOf } from "./entryCodec.ts";
import type { StoredEvent, StoreInternals } from "./internals.ts";

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
export const createDeadLetters = (internals: StoreInternals, group: string) => {
  const { redis, keys } = internals;
  const key = keys.deadLetters(group);

  /** Records an entry of `partition` (its `e`/`h` fields, whatever else it has) and acknowledges it. */
  const add = async (partition: number, entryId: string, fields: readonly string[], error: string, deliveries: number) => {
    const record = fieldsOf(fields);
    await redis
      .multi()
      .xadd(key, "*", "group", group, "partition", partition, "entryId", entryId, "error", error,
        "deliveries", deliveries, "deadAt", new Date().toISOString(), "e", record.e ?? "", "h", record.h ?? "")
      .xack(keys.partitionLog(partition), group, entryId)
      .exec();
  };

  /** Records an event a handler could not apply (decoded from the log already) and acknowledges it. */
  const addEvent = (event: StoredEvent, error: string, deliveries: number) =>
    add(event.partition, event.entryId, eventFields(event.envelope), error, deliveries);

  const list = async (count = 100): Promise<DeadLetter[]> => {
    const entries = await redis.xrange(key, "-", "+", "COUNT", count);
    return entries.map(([id, fields]) => {
      const record = fieldsOf(fields);
      return {
        id, group, partition: Number(record.partition), entryId: record.entryId ?? "", error: record.error ?? "",
        deliveries: Number(record.deliveries), deadAt: record.deadAt ?? "", raw: record.e ?? "", hash: record.h ?? "",
      };
    });
  };

  /** Hands each dead letter to `handle` again; the ones that succeed leave the stream. */
  const replay = async (handle: (batch: readonly StoredEvent[], partition: number) => Promise<void>) => {
    let replayed = 0;
    for (const letter of await list(10_000)) {
      const event: StoredEvent = { partition: letter.partition, entryId: letter.entryId, envelope: envelopeOfRaw({ body: letter.raw, hash: letter.hash }) };
      await handle([event], letter.partition);
      await redis.xdel(key, letter.id);
      replayed += 1;
    }
    return replayed;
  };

  return { add, addEvent, list, replay, count: () => redis.xlen(key) };
};

export type DeadLetters = ReturnType<typeof createDeadLetters>;
