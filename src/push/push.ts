import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { Database } from "../infra/database.ts";
import type { Metrics } from "../infra/metrics.ts";
import type { RedisClient } from "../infra/redis.ts";
import { pushAgent } from "./channels.ts";
import { createDeliveries } from "./deliveries.ts";
import { createForegroundPresence } from "./foreground.ts";
import { createNotifier, type NotifierOptions } from "./notifier.ts";
import { createSubscriptions } from "./subscriptions.ts";
import { loadVapidKeys } from "./vapidKeys.ts";

/** Notifier knobs a test or benchmark may set. */
export type NotifierTuning = Pick<NotifierOptions, "pollMs" | "blockMs" | "claimIdleMs">;

/**
 * The push parts of a process over its clients: the deployment's VAPID keys, subscriptions,
 * deliveries and foreground presence (the api serves them), and the notifier when asked for.
 */
export const createPush = async (deps: { config: Readonly<Config>; redis: RedisClient; db: Database; logger: Logger }) => {
  const { config, redis, db, logger } = deps;
  const configured = config.VAPID_PUBLIC_KEY !== undefined && config.VAPID_PRIVATE_KEY !== undefined
    ? { publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY } : undefined;
  const vapid = await loadVapidKeys({ redis, prefix: config.REDIS_KEY_PREFIX, subject: config.VAPID_SUBJECT, configured });
  const presence = createForegroundPresence({
    redis, prefix: config.REDIS_KEY_PREFIX, ttlMs: config.PUSH_FOREGROUND_TTL_MS,
    onError: (error) => logger.warn({ err: error }, "foreground mark not written"),
  });
  const subscriptions = createSubscriptions(db);
  const deliveries = createDeliveries(db, { maxAttempts: config.PUSH_MAX_ATTEMPTS, baseMs: config.PUSH_RETRY_BASE_MS, maxMs: config.PUSH_RETRY_MAX_MS });
  return {
    vapidPublicKey: vapid.publicKey,
    presence,
    subscriptions,
    deliveries,
    notifier: (store: EventStore, metrics: Metrics, tuning: NotifierTuning = {}) => createNotifier({
      store, subscriptions, deliveries, presence, logger, metrics, concurrency: config.PUSH_CONCURRENCY, ...tuning,
      channels: { vapid, agent: pushAgent(config.PUSH_CONCURRENCY), expoUrl: config.EXPO_PUSH_URL, expoAccessToken: config.EXPO_ACCESS_TOKEN, timeoutMs: config.PUSH_TIMEOUT_MS },
    }),
  };
};

export type Push = Awaited<ReturnType<typeof createPush>>;
