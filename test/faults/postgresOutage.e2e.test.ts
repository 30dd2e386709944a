import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { deleteKeysByPrefix } from "../../src/infra/redis.ts";
import { start } from "../../src/main.ts";
import { postgresUrl } from "../support/postgres.ts";
import { connectTestRedis, redisUrl } from "../support/redis.ts";

/**
 * Postgres going away under load: the service starts without it, keeps taking commands (they
 * need only Redis), answers reads with 503 + Retry-After, pauses its projections, and catches
 * up once it is back, losing nothing. The outage is a database of the test's own that refuses
 * connections (ALLOW_CONNECTIONS false) with every backend terminated, as a restart does.
 */
const OUTAGE_MS = Number(process.env.TEST_PG_OUTAGE_MS ?? 30_000);
const database = `ccm_fault_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = new pg.Client({ connectionString: postgresUrl });
const { redis, prefix } = connectTestRedis();
const scratch = realpathSync(mkdtempSync(join(tmpdir(), "ccm-pg-outage-")));
const token = "pg-outage-token-0123456789";
let service: Awaited<ReturnType<typeof start>>;
let url = "";

const databaseUrl = () => {
  const parsed = new URL(postgresUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

/** What a restart or failover looks like from the service: no new connections, old ones cut. */
const takeDown = async () => {
  await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
  await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
};
const bringBack = () => admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Record<string, unknown> };
};

const waitUntil = async (check: () => Promise<boolean>, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  mkdirSync(join(scratch, "repos", "alpha"), { recursive: true });
  // Down before the service even starts.
  await takeDown();
  const config = parseConfig({
    REDIS_URL: redisUrl, DATABASE_URL: databaseUrl(), REDIS_KEY_PREFIX: prefix, PORT: "0", API_TOKEN: token, LOG_LEVEL: "silent",
    DATA_DIR: join(scratch, "data"), GITHUB_REPOS_DIRECTORY: join(scratch, "repos"), CLAUDE_CONFIG_DIR: join(scratch, "claude"),
    RATE_LIMIT_READS: "100000", RATE_LIMIT_PROMPTS: "100000", RATE_LIMIT_WRITES: "100000",
  });
  service = await start(config, { roles: ["api", "projector"], env: {}, logger: pino({ level: "silent" }) });
  const address = service.service.app?.server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}, 60_000);

afterAll(async () => {
  await bringBack().catch(() => undefined);
  await service?.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  await deleteKeysByPrefix(redis, prefix);
  redis.disconnect();
  rmSync(scratch, { recursive: true, force: true });
});

it("starts without Postgres: commands are taken, reads answer 503 with Retry-After, /health says degraded and why", async () => {
  const created = await call("POST", "/api/claude-code/sessions", { folderName: "alpha" });
  expect(created.status).toBe(201);
  const prompt = await call("POST", `/api/claude-code/sessions/${String(created.body.id)}/prompts`, { prompt: "while the database is away" });
  expect(prompt.status).toBe(202);
  const read = await call("GET", `/api/claude-code/sessions/${String(created.body.id)}`);
  expect(read).toMatchObject({ status: 503, body: { code: "read_model_unavailable" } });
  expect(Number(read.retryAfter)).toBeGreaterThan(0);
  const health = await call("GET", "/health");
  expect(health.body).toMatchObject({ status: "degraded", services: { redis: "up", database: "down" } });
  expect(JSON.stringify(health.body.problems)).toContain("database");
  await bringBack();
  // Migrations run, projections catch up: the session and its prompt are there.
  await waitUntil(async () => (await call("GET", `/api/claude-code/sessions/${String(created.body.id)}/prompts`)).status === 200, "reads to come back");
  const prompts = await call("GET", `/api/claude-code/sessions/${String(created.body.id)}/prompts`);
  expect((prompts.body.prompts as unknown[]).length).toBe(1);
}, 90_000);

it(`goes down ${OUTAGE_MS / 1000} s under load: the process lives, every command is taken, reads are 503, nothing is lost after`, async () => {
  const session = await call("POST", "/api/claude-code/sessions", { folderName: "alpha" });
  const sessionId = String(session.body.id);
  const accepted: string[] = [];
  const statuses = { commands: new Map<number, number>(), reads: new Map<number, number>() };
  const count = (map: Map<number, number>, status: number) => map.set(status, (map.get(status) ?? 0) + 1);
  await takeDown();
  const until = Date.now() + OUTAGE_MS;
  const patched = { context: "" };
  // Bounded: one round every 100 ms for the length of the outage.
  for (let round = 0; Date.now() < until && round < OUTAGE_MS / 50; round += 1) {
    const [prompt, patch, read] = await Promise.all([
      call("POST", `/api/claude-code/sessions/${sessionId}/prompts`, { prompt: `prompt ${round}` }),
      call("PATCH", `/api/claude-code/sessions/${sessionId}`, { context: `context ${round}` }),
      call("GET", `/api/claude-code/sessions/${sessionId}/prompts`),
    ]);
    count(statuses.commands, prompt.status);
    count(statuses.commands, patch.status);
    count(statuses.reads, read.status);
    if (prompt.status === 202) accepted.push(String(prompt.body.promptId));
    if (patch.status === 200) patched.context = `context ${round}`;
    if (read.status === 503) expect(read.body.code).toBe("read_model_unavailable");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect([...statuses.commands.keys()].every((status) => status === 202 || status === 200)).toBe(true);
  expect(statuses.reads.get(503) ?? 0).toBeGreaterThan(0);
  expect([...statuses.reads.keys()].every((status) => status === 503 || status === 200)).toBe(true);
  await bringBack();
  await waitUntil(async () => {
    const read = await call("GET", `/api/claude-code/sessions/${sessionId}/prompts`);
    return read.status === 200 && (read.body.prompts as unknown[]).length === accepted.length;
  }, "the projections to catch up");
  const prompts = (await call("GET", `/api/claude-code/sessions/${sessionId}/prompts`)).body.prompts as { promptId: string }[];
  expect(new Set(prompts.map((prompt) => prompt.promptId))).toEqual(new Set(accepted));
  expect((await call("GET", `/api/claude-code/sessions/${sessionId}`)).body.context).toBe(patched.context);
  // Every projection (the archive too) catches up, and then the service says it is well again.
  await waitUntil(async () => (await call("GET", "/health")).body.status === "ok", "/health to say ok");
}, OUTAGE_MS + 90_000);
