import type { RedisClient } from "../infra/redis.ts";

// A blocked XREAD/XREADGROUP can hang forever after a reconnect (see bullmq's watchdog around
// BZPOPMIN, taskforcesh/bullmq#1658): race it against a timer and recycle the connection.
/**
 * Awaits a blocking read, but gives up after `deadlineMs`: then calls `onStuck`, drops the
 * connection (ioredis reconnects it) and resolves `null`, which callers treat as "nothing read".
 */
export const raceWithWatchdog = async <T>(
  connection: RedisClient,
  read: Promise<T>,
  deadlineMs: number,
  onStuck: () => void,
): Promise<T | null> => {
  let timer: NodeJS.Timeout | undefined;
  const stuck = Symbol("stuck");
  const watchdog = new Promise<typeof stuck>((resolve) => {
    timer = setTimeout(() => resolve(stuck), deadlineMs);
  });
  try {
    const outcome = await Promise.race([read, watchdog]);
    if (outcome !== stuck) return outcome as T;
    onStuck();
    connection.disconnect(true);
    return null;
  } finally {
    clearTimeout(timer);
  }
};
