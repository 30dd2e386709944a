import { tmpdir } from "node:os";
import { Redis } from "ioredis";
import pino from "pino";
import { sessionDecider } from "../commands/session/index.ts";
import { createTokenStore } from "../src/auth/tokens.ts";
import { parseConfig } from "../src/config.ts";
import { createEventStore } from "../src/eventStore/eventStore.ts";
import { createCachedCommandHandler } from "../src/eventStore/cachedCommandHandler.ts";
import { allProjections } from "../projections/index.ts";
import { createSessionReads } from "../src/readModels/sessionReads.ts";
import { createProjector } from "../src/projector/projector.ts";
import { createRunner } from "../src/runner/runner.ts";
import { buildApp } from "../src/http/app.ts";
import { openBenchSchema } from "./fixtures.ts";

/**
 * One process of `bench/commands.ts`: `api` (the app and the projector, listening on
 * 127.0.0.1) or `runner` (a runner whose CLI is the fake one). Both use BENCH_PREFIX. Prints one
 * JSON line once ready; stops on SIGTERM.
 */
const role = process.argv[2];
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = process.env.BENCH_PREFIX ?? "bench:commands:";
const token = process.env.BENCH_TOKEN ?? "bench-token-0123456789abcdef";
const fakeCli = new URL("../test/support/fakeClaude.mjs", import.meta.url).pathname.replace("/dist/test/", "/test/");
const logger = pino({ level: "silent" });
const config = parseConfig({
  GITHUB_REPOS_DIRECTORY: tmpdir(), REDIS_KEY_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: "silent", CLAUDE_CODE_PATH: fakeCli,
  RATE_LIMIT_READS: "100000000", RATE_LIMIT_PROMPTS: "100000000", RATE_LIMIT_WRITES: "100000000", RUNNER_KILL_GRACE_MS: "2000",
});
const redis = new Redis(redisUrl, { enableAutoPipelining: role === "api" });
const stops: (() => Promise<unknown>)[] = [];

if (role === "api") {
  const database = await openBenchSchema(4);
  const store = await createEventStore({ redis, prefix, partitions: 8 });
  const projector = createProjector({ store: await createEventStore({ redis: redis.duplicate(), prefix, partitions: 8 }), db: database.db, projections: allProjections, logger });
  await projector.start();
  const reads = createSessionReads({ db: database.db, projections: allProjections.map((projection) => projection.name), projector });
  const app = await buildApp({
    config, logger, redis, db: database.db, store, version: "bench", reads, commands: createCachedCommandHandler(store, sessionDecider),
    tokens: createTokenStore({ redis, prefix, staticTokens: [{ name: "bench", token }] }),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  stops.push(() => app.close(), () => projector.stop(), () => database.close());
  process.stdout.write(`${JSON.stringify({ port: (app.server.address() as { port: number }).port })}\n`);
} else {
  const store = await createEventStore({ redis, prefix, partitions: 8 });
  const runner = createRunner({ store, redis, config, logger, env: { PATH: process.env.PATH ?? "" }, pollMs: 200 });
  await runner.start();
  stops.push(() => runner.stop());
  process.stdout.write(`${JSON.stringify({ runner: runner.runnerId })}\n`);
}

process.once("SIGTERM", async () => {
  for (const stop of stops) await stop().catch(() => undefined);
  redis.disconnect();
  process.exit(0);
});
process.on("disconnect", () => process.exit(0));
