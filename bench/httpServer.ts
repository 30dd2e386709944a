import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import pino from "pino";
import { parseConfig } from "../src/config.ts";
import { assemble } from "../src/main.ts";
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


// All roles but the runner in one process, as `ccm start` runs them, through the composition root.
const redis = new Redis(redisUrl, { enableAutoPipelining: true });
const database = await openBenchSchema(4);
const config = parseConfig({
  GITHUB_REPOS_DIRECTORY: join(scratch, "repos"), DATA_DIR: join(scratch, "data"), CLAUDE_CONFIG_DIR: join(scratch, "claude"),
  REDIS_KEY_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: "silent", PARTITIONS: "8",
  RATE_LIMIT_READS: "100000000", RATE_LIMIT_PROMPTS: "100000000", RATE_LIMIT_WRITES: "100000000",
});
const service = await assemble(config, { redis, db: database.db, logger: pino({ level: "silent" }) }, { roles: ["api", "projector"], version: "bench" });
const app = service.app as FastifyInstance;
const bare = Fastify();
bare.get("/bare", async () => ({ ok: true }));
bare.post("/bare", async (request) => ({ ok: true, size: JSON.stringify(request.body).length }));

await app.listen({ host: "127.0.0.1", port: 0 });
await bare.listen({ host: "127.0.0.1", port: 0 });
const portOf = (server: typeof app) => (server.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ appPort: portOf(app), barePort: portOf(bare), token })}\n`);

process.once("SIGTERM", async () => {
  await bare.close();
  await service.stop();
  await database.close();
  await deleteKeysByPrefix(redis, prefix);
  redis.disconnect();
  rmSync(scratch, { recursive: true, force: true });
  process.exit(0);
});
