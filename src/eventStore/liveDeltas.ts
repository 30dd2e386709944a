import type { RedisClient } from "../infra/redis.ts";
import type { StoreInternals } from "./internals.ts";

/**
 * Live deltas: what the runner shows while a turn streams (typing, progress) and never stores.
 * They travel on Redis pub/sub, one channel per session, named here and nowhere else.
 */
export const createLiveDeltas = (internals: StoreInternals) => {
  const { redis, keys } = internals;
  const prefixLength = keys.liveDeltas("").length;
  return {
    publish: async (sessionId: string, payload: Readonly<Record<string, unknown>>): Promise<void> => {
      await redis.publish(keys.liveDeltas(sessionId), JSON.stringify(payload));
    },
    /** Receives every session's deltas on a connection of its own until `close()`. */
    subscribe: async (onDelta: (sessionId: string, message: string) => void, connectionName?: string) => {
      const subscriber: RedisClient = internals.duplicate(connectionName ?? "live-deltas");
      subscriber.on("pmessage", (_pattern: string, channel: string, message: string) => onDelta(channel.slice(prefixLength), message));
      await subscriber.psubscribe(keys.liveDeltasPattern);
      return { close: () => subscriber.disconnect() };
    },
  };
};

export type LiveDeltas = ReturnType<typeof createLiveDeltas>;
