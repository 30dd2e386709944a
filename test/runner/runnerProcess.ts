import pino from "pino";
import { Redis } from "ioredis";
import { parseConfig } from "../../src/config.ts";
import { openCluster } from "../../src/infra/redis.ts";
import { assemble } from "../../src/main.ts";

/**
 * A runner in its own process, so a test can kill -9 it mid-job: the runner role assembled by
 * the composition root, over Redis alone. Configured by environment (REDIS_KEY_PREFIX,
 * PARTITIONS, CLAUDE_CODE_PATH, RUNNER_LEASE_MS, ...); prints its runner id once started.
 */
const main = async () => {
  const config = parseConfig(process.env);
  const redis = config.REDIS_CLUSTER_NODES === undefined
    ? new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", { enableAutoPipelining: true })
    : openCluster(config.REDIS_CLUSTER_NODES, pino({ level: "silent" }));
  const service = await assemble(config, { redis, logger: pino({ level: "silent" }) }, { roles: ["runner"], env: process.env, runner: { pollMs: 200 } });
  process.stdout.write(`${JSON.stringify({ ready: true, runnerId: service.runner?.runnerId })}\n`);
};

void main();
