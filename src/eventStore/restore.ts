import type { ChainableCommander } from "ioredis";
import type { Envelope } from "../../events/envelope.ts";
import { deleteKeysByPrefix } from "../infra/redis.ts";
import { eventFields, sessionEntryId } from "./entryCodec.ts";
import type { StoreInternals } from "./internals.ts";

/** An event to put back where it was: its partition log entry id and its envelope. */
export interface RestoredEvent {
  readonly partition: number;
  readonly entryId: string;
  readonly envelope: Envelope;
}

/** Where a consumer group of a restored log starts reading (an entry id; "0" for all of it). */
export type GroupStart = (group: string, partition: number) => string;

/**
 * Rebuilding the event store's Redis data from a copy (the Postgres archive) after Redis lost
 * it: partition logs with their original entry ids (positions stay valid), session streams,
 * heads, consumer groups, and last the deployment marker, which lets the service write again.
 */
type Step = [partition: number, add: (pipeline: ChainableCommander) => unknown];

export const createRestore = (internals: StoreInternals) => {
  const { redis, keys } = internals;
  const heads = new Map<string, { version: number; hash: string }>();

  const runPerPartition = async (steps: readonly Step[]) => {
    const pipelines = new Map<number, ChainableCommander>();
    for (const [partition, add] of steps) {
      const pipeline = pipelines.get(partition) ?? redis.pipeline();
      pipelines.set(partition, pipeline);
      add(pipeline);
    }
    for (const pipeline of pipelines.values()) {
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    }
  };

  return {
    /** Removes what is left of the event store's keys (a partial Redis, an interrupted restore). */
    clear: async () => {
      for (const partition of internals.allPartitions) await deleteKeysByPrefix(redis, keys.partitionLog(partition).slice(0, -"log".length));
      await redis.del(keys.config);
      await redis.hset(keys.config, "partitions", internals.partitions);
    },
    /** Appends a batch of events, in log order, to their partition logs and their sessions' streams. */
    write: async (events: readonly RestoredEvent[]) => {
      // One pipeline per partition: a cluster runs a pipeline only over keys of one slot's node.
      await runPerPartition(events.map((event) => [event.partition, (pipeline) => {
        const { partition, entryId, envelope } = event;
        const [, body, , hash] = eventFields(envelope) as [string, string, string, string];
        pipeline.xadd(keys.partitionLog(partition), entryId, "s", envelope.sessionId, "v", envelope.version, "e", body, "h", hash);
        pipeline.xadd(keys.sessionStream(partition, envelope.sessionId), sessionEntryId(envelope.version), "t", envelope.type, "e", body, "h", hash);
        heads.set(envelope.sessionId, { version: envelope.version, hash: envelope.hash });
      }]));
    },
    /** Writes the heads, creates the groups and sets the marker: the store is whole again. */
    finish: async (marker: string, groups: readonly string[], startOf: GroupStart) => {
      const steps: Step[] = [...heads].map(([sessionId, head]) => {
        const partition = internals.partitionFor(sessionId);
        return [partition, (pipeline) => pipeline.hset(keys.sessionHead(partition, sessionId), "version", head.version, "hash", head.hash)];
      });
      for (const group of groups) {
        for (const partition of internals.allPartitions) steps.push([partition, (pipeline) => pipeline.xgroup("CREATE", keys.partitionLog(partition), group, startOf(group, partition), "MKSTREAM")]);
      }
      await runPerPartition(steps);
      await redis.hset(keys.config, "deployment", marker);
      return { sessions: heads.size };
    },
  };
};
