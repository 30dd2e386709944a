/**
 * The api process of the live benchmark: the api role as the composition root assembles it,
 * run as a child so its RSS is measured alone. Talks to the parent over IPC:
 * sends `{ port }` once listening, answers `"rss"` with `{ rss, peakRss, cpuPercent }` (CPU since the last `"reset-peak"`), exits on `"stop"`.
 */
import { Kysely, PostgresDialect } from "kysely";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import pg from "pg";
import pino from "pino";
import { parseConfig } from "../src/config.ts";
import type { Database } from "../src/infra/database.ts";
import { assemble } from "../src/main.ts";

const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = process.env.BENCH_PREFIX ?? "bench:live:";
const token = process.env.BENCH_TOKEN ?? "bench-token-0123456789abcdef";
const logger = pino({ level: "silent" });

const redis = new Redis(redisUrl);
const config = parseConfig({ REDIS_KEY_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: "silent", RATE_LIMIT_READS: "1000000", PARTITIONS: "8" });
// A lazy pool, as the api has one: the live routes never query it.
const db: Database = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres", max: 2 }) }) });
// The api role alone, through the composition root (no projector: the live stream reads Redis).
const service = await assemble(config, { redis, db, logger }, { roles: ["api"], version: "bench" });
const app = service.app as FastifyInstance;
await app.listen({ port: 0, host: "127.0.0.1" });

let peakRss = process.memoryUsage().rss;
let cpuFrom = process.cpuUsage();
let cpuSince = performance.now();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const address = app.server.address();
process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
process.on("message", (message) => {
  if (message === "rss") {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    const cpu = process.cpuUsage(cpuFrom);
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - cpuSince)) * 100;
    process.send?.({ rss, peakRss, cpuPercent });
  }
  if (message === "reset-peak") {
    peakRss = process.memoryUsage().rss;
    cpuFrom = process.cpuUsage();
    cpuSince = performance.now();
  }
  if (message === "stop") {
    clearInterval(sampler);
    void service
      .stop()
      .then(async () => {
        redis.disconnect();
        await db.destroy();
        process.exit(0);
      });
  }
});
// An orphaned child never outlives the benchmark.
process.on("disconnect", () => process.exit(0));
