import { tmpdir } from "node:os";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import pino from "pino";
import { parseConfig } from "../src/config.ts";
import { assemble } from "../src/main.ts";
import { openBenchSchema } from "./fixtures.ts";

/**
 * One process of `bench/commands.ts`, through the composition root: `api` (the api and
 * projector roles, listening on 127.0.0.1) or `runner` (the runner role, whose CLI is the fake
 * one). Both use BENCH_PREFIX. Prints one JSON line once ready; stops on SIGTERM.
 */
const role = process.argv[2];
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = process.env.BENCH_PREFIX ?? "bench:commands:";
const token = process.env.BENCH_TOKEN ?? "bench-token-0123456789abcdef";
const fakeCli = new URL("../test/support/fakeClaude.mjs", import.meta.url).pathname.replace("/dist/test/", "/test/");
const logger = pino({ level: "silent" });
const config = parseConfig({
  GITHUB_REPOS_DIRECTORY: tmpdir(), REDIS_KEY_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: "silent", CLAUDE_CODE_PATH: fakeCli, PARTITIONS: "8",
  RATE_LIMIT_READS: "100000000", RATE_LIMIT_PROMPTS: "100000000", RATE_LIMIT_WRITES: "100000000", RUNNER_KILL_GRACE_MS: "2000",
});
const redis = new Redis(redisUrl, { enableAutoPipelining: true });
const stops: (() => Promise<unknown>)[] = [];

if (role === "api") {
  const database = await openBenchSchema(4);
  const service = await assemble(config, { redis, db: database.db, logger }, { roles: ["api", "projector"], version: "bench" });
  const app = service.app as FastifyInstance;
  await app.listen({ host: "127.0.0.1", port: 0 });
  stops.push(() => service.stop(), () => database.close());
  process.stdout.write(`${JSON.stringify({ port: (app.server.address() as { port: number }).port })}\n`);
} else {
  const service = await assemble(config, { redis, logger }, { roles: ["runner"], env: { PATH: process.env.PATH ?? "" }, runner: { pollMs: 200 } });
  stops.push(() => service.stop());
  process.stdout.write(`${JSON.stringify({ runner: service.runner?.runnerId })}\n`);
}

process.once("SIGTERM", async () => {
  for (const stop of stops) await stop().catch(() => undefined);
  redis.disconnect();
  process.exit(0);
});
process.on("disconnect", () => process.exit(0));
