import { envelopeOfRaw, eventFields, fieldsOf } from "./entryCodec.ts";
import type { StoredEvent, StoreInternals } from "./internals.ts";
import { compareEntryIds } from "./position.ts";

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
 * The dead letters of one consumer group: entries its handler could not process, in one
 * stream per partition beside its log. Moving an entry there acknowledges it in the group (one
 * MULTI, one hash slot), so the rest of the log keeps flowing.
 */
export const createDeadLetters = (internals: StoreInternals, group: string) => {
  const { redis, keys } = internals;
  const keyOf = (partition: number) => keys.deadLetters(partition, group);

  /** Records an entry of `partition` (its `e`/`h` fields, whatever else it has) and acknowledges it. */
  const add = async (partition: number, entryId: string, fields: readonly string[], error: string, deliveries: number) => {
    const record = fieldsOf(fields);
    await redis
      .multi()
      .xadd(keyOf(partition), "*", "group", group, "partition", partition, "entryId", entryId, "error", error,
        "deliveries", deliveries, "deadAt", new Date().toISOString(), "e", record.e ?? "", "h", record.h ?? "")
      .xack(keys.partitionLog(partition), group, entryId)
      .exec();
  };

  /** Records an event a handler could not apply (decoded from the log already) and acknowledges it. */
  const addEvent = (event: StoredEvent, error: string, deliveries: number) =>
    add(event.partition, event.entryId, eventFields(event.envelope), error, deliveries);

  /** The oldest `count` dead letters of every partition, oldest first. */
  const list = async (count = 100): Promise<DeadLetter[]> => {
    const perPartition = await Promise.all(internals.allPartitions.map(async (partition) => {
      const entries = await redis.xrange(keyOf(partition), "-", "+", "COUNT", count);
      return entries.map(([id, fields]): DeadLetter => {
        const record = fieldsOf(fields);
        return {
          id, group, partition, entryId: record.entryId ?? "", error: record.error ?? "",
          deliveries: Number(record.deliveries), deadAt: record.deadAt ?? "", raw: record.e ?? "", hash: record.h ?? "",
        };
      });
    }));
    return perPartition.flat().sort((a, b) => compareEntryIds(a.id, b.id)).slice(0, count);
  };

  /** Hands each dead letter to `handle` again; the ones that succeed leave the stream. */
  const replay = async (handle: (batch: readonly StoredEvent[], partition: number) => Promise<void>) => {
    let replayed = 0;
    for (const letter of await list(10_000)) {
      const event: StoredEvent = { partition: letter.partition, entryId: letter.entryId, envelope: envelopeOfRaw({ body: letter.raw, hash: letter.hash }) };
      await handle([event], letter.partition);
      await redis.xdel(keyOf(letter.partition), letter.id);
      replayed += 1;
    }
    return replayed;
  };

  const count = async () => (await Promise.all(internals.allPartitions.map((partition) => redis.xlen(keyOf(partition))))).reduce((sum, n) => sum + n, 0);

  return { add, addEvent, list, replay, count };
};

export type DeadLetters = ReturnType<typeof createDeadLetters>;
