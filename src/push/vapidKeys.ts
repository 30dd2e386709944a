import webPush from "web-push";
import type { RedisClient } from "../infra/redis.ts";

export interface VapidKeys {
  readonly publicKey: string;
  /** Never logged nor returned by any route. */
  readonly privateKey: string;
  readonly subject: string;
}

/**
 * The deployment's one VAPID key pair: the configured one, else the one every process of the
 * deployment agrees on in Redis. The first process to start generates a pair and stores it with
 * SET NX; a process that loses the race reads the winner's. A browser subscription is bound to
 * the public key it was made with, so the pair must never change under it.
 */
export const loadVapidKeys = async (options: {
  redis: RedisClient;
  prefix: string;
  subject: string;
  configured: { publicKey: string; privateKey: string } | undefined;
}): Promise<VapidKeys> => {
  if (options.configured) return { ...options.configured, subject: options.subject };
  const key = `${options.prefix}push:vapid`;
  const generated = webPush.generateVAPIDKeys();
  await options.redis.set(key, JSON.stringify(generated), "NX");
  const stored = await options.redis.get(key);
  if (stored === null) throw new Error(`the VAPID key pair vanished from ${key}`);
  const pair = JSON.parse(stored) as { publicKey: string; privateKey: string };
  return { publicKey: pair.publicKey, privateKey: pair.privateKey, subject: options.subject };
};
