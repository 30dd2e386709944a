import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { Redis } from "ioredis";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import pino from "pino";
import { sessionDecider } from "../commands/session/index.ts";
import { createTokenStore } from "../src/auth/tokens.ts";
import { parseConfig } from "../src/config.ts";
import { createEventStore } from "../src/eventStore/eventStore.ts";
import { createCachedCommandHandler } from "../src/eventStore/cachedCommandHandler.ts";
import { allProjections } from "../projections/index.ts";
import { createSessionReads } from "../src/readModels/sessionReads.ts";
import { createProjector } from "../src/projector/projector.ts";
import { buildApp } from "../src/http/app.ts";
import { openBenchSchema } from "./fixtures.ts";

/**
 * The server side of `bench/http.ts`, in its own process so the load generator does not
 * share its event loop: the real app (real Redis with a random prefix, a real Postgres schema)
 * and a bare Fastify app, both on 127.0.0.1. Prints one JSON line with the ports; cleans up
 * and exits on SIGTERM.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const token = `bench-${randomUUID()}`;
const prefix = `bench:${randomUUID().slice(0, 8)}:`;
const scratch = realpathSync(mkdtempSync(join(tmpdir(), "ccm-bench-")));
mkdirSync(join(scratch, "repos", "project"), { recursive: true });


// As main.ts does for the api role.
const redis = new Redis(redisUrl, { enableAutoPipelining: true });
const database = await openBenchSchema(4);
const { db } = database;
const config = parseConfig({
  GITHUB_REPOS_DIRECTORY: join(scratch, "repos"), DATA_DIR: join(scratch, "data"), CLAUDE_CONFIG_DIR: join(scratch, "claude"),
  REDIS_KEY_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: "silent",
  RATE_LIMIT_READS: "100000000", RATE_LIMIT_PROMPTS: "100000000", RATE_LIMIT_WRITES: "100000000",
});
const store = await createEventStore({ redis, prefix, partitions: 8 });
// All roles but the runner in one process, as `ccm start` runs them.
const projector = createProjector({ store: await createEventStore({ redis: redis.duplicate(), prefix, partitions: 8 }), db, projections: allProjections, logger: pino({ level: "silent" }) });
await projector.start();
const reads = createSessionReads({ db, projections: allProjections.map((projection) => projection.name), projector });
const app = await buildApp({
  config, logger: pino({ level: "silent" }), redis, db, store, version: "bench",
  reads, commands: createCachedCommandHandler(store, sessionDecider),
  tokens: createTokenStore({ redis, prefix, staticTokens: [{ name: "bench", token }] }),
});
const bare = Fastify();
bare.get("/bare", async () => ({ ok: true }));
bare.post("/bare", async (request) => ({ ok: true, size: JSON.stringify(request.body).length }));

await app.listen({ host: "127.0.0.1", port: 0 });
await bare.listen({ host: "127.0.0.1", port: 0 });
const portOf = (server: typeof app) => (server.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ appPort: portOf(app), barePort: portOf(bare), token })}\n`);

process.once("SIGTERM", async () => {
  await Promise.all([app.close(), bare.close()]);
  await projector.stop();
  await database.close();
  await deleteKeysByPrefix(redis, prefix);
  redis.disconnect();
  rmSync(scratch, { recursive: true, force: true });
  process.exit(0);
});
