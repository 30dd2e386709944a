import pino from "pino";
import { Redis } from "ioredis";
import { parseConfig } from "../../src/config.ts";
import { createEventStore } from "../../src/eventStore/eventStore.ts";
import { createRunner } from "../../src/runner/runner.ts";

/**
 * A runner in its own process, so a test can kill -9 it mid-job. Configured by environment
 * (REDIS_KEY_PREFIX, CLAUDE_CODE_PATH, RUNNER_LEASE_MS, ...); prints its runner id once started.
 */
const main = async () => {
  const config = parseConfig(process.env);
  const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
  const store = await createEventStore({ redis, prefix: config.REDIS_KEY_PREFIX, partitions: Number(process.env.TEST_PARTITIONS ?? 2) });
  const runner = createRunner({ store, redis, config, logger: pino({ level: "silent" }), env: process.env, pollMs: 200 });
  await runner.start();
  process.stdout.write(`${JSON.stringify({ ready: true, runnerId: runner.runnerId })}\n`);
};

void main();
