import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import pg from "pg";
import { createEventStore, type EventStore } from "../src/eventStore/eventStore.ts";
import { compareEntryIds } from "../src/eventStore/position.ts";
import { allProjections } from "../projections/index.ts";
import { cpuPerRequest, cpuSnapshot } from "./cpu.ts";
import { postgresUrl } from "./fixtures.ts";
import { promptHistoryRows } from "./longSession.ts";
import { round, serverScript, type Row } from "./stats.ts";

/**
 * The write path against the fair yardstick: what a user would write instead, a Fastify route
 * that validates the prompt with the same zod schemas and INSERTs it into Postgres. Both in one
 * server process, measured in the same run under the same autocannon load (50 connections,
 * prompts round-robin over 100 sessions), rounds interleaved. Ours runs with its projector; after
 * each of its rounds the catch-up is timed: from the end of the load until every projection's
 * checkpoint has reached the last entry of every partition log. CPU per request: the server
 * process (/proc), Redis (`INFO cpu`), every Postgres process (/proc).
 * Targets: >= 1.0x the naive route, p99 < 25 ms, caught up within 2 s.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const CONNECTIONS = 50;
const SESSIONS = 100;
const SECONDS = Number(process.env.BENCH_WRITEPATH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_WRITEPATH_ROUNDS ?? 3);
const CATCH_UP_LIMIT_MS = 60_000;

interface Server { appPort: number; naivePort: number; token: string; prefix: string; schema: string; pid: number; stop: () => Promise<void> }

const startServer = async (): Promise<Server> => {
  const server = serverScript("writePathServer");
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, ...server.execArgv, server.file], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  const ready = JSON.parse(line) as Omit<Server, "stop" | "pid">;
  return { ...ready, pid: child.pid ?? 0, stop: async () => { child.kill("SIGTERM"); await once(child, "exit"); } };
};

const createSessions = async (server: Server): Promise<string[]> => {
  const ids: string[] = [];
  for (let index = 0; index < SESSIONS; index += 1) {
    const response = await fetch(`http://127.0.0.1:${server.appPort}/api/claude-code/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: JSON.stringify({ folderName: "project", context: `bench session ${index}` }),
    });
    if (response.status !== 201) throw new Error(`session not created: ${response.status} ${await response.text()}`);
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True once every projection's checkpoint in every partition is at the log's last entry. */
const caughtUp = async (store: EventStore, database: pg.Client): Promise<boolean> => {
  const { rows } = await database.query<{ projection: string; partition: number; entry_id: string }>("SELECT projection, partition, entry_id FROM projection_checkpoints");
  const at = new Map(rows.map((row) => [`${row.projection}/${row.partition}`, row.entry_id]));
  for (let partition = 0; partition < store.partitions; partition += 1) {
    const last = await store.lastEntryId(partition);
    if (last === null) continue;
    for (const { name } of allProjections) {
      const checkpoint = at.get(`${name}/${partition}`);
      if (checkpoint === undefined || compareEntryIds(checkpoint, last) < 0) return false;
    }
  }
  return true;
};

/** Seconds from now until the read models have every event of the log (polled every 5 ms). */
const catchUpSeconds = async (store: EventStore, database: pg.Client): Promise<number> => {
  const start = performance.now();
  while (!(await caughtUp(store, database))) {
    if (performance.now() - start > CATCH_UP_LIMIT_MS) return Number.POSITIVE_INFINITY;
    await sleep(5);
  }
  return (performance.now() - start) / 1000;
};

const promptBody = JSON.stringify({ prompt: "Explain what the function parseConfig does and suggest one test." });

/** One autocannon run of POST prompts against `port`, with the CPU each component spent per request. */
const load = async (server: Server, redis: Redis, port: number, sessionIds: readonly string[]) => {
  let next = 0;
  const before = await cpuSnapshot(server.pid, redis);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    requests: [{ setupRequest: (request) => ({ ...request, method: "POST", path: `/api/claude-code/sessions/${sessionIds[next++ % sessionIds.length]}/prompts`, body: promptBody }) }],
  });
  const cpu = cpuPerRequest(before, await cpuSnapshot(server.pid, redis), result.requests.total);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, notOk: result.non2xx + result.errors, cpu };
};

type Run = Awaited<ReturnType<typeof load>> & { catchUp?: number };

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const loadRow = (name: string, runs: readonly Run[], naive: readonly Run[], target: string): Row => {
  const catchUps = runs.flatMap((run) => (run.catchUp === undefined ? [] : [run.catchUp]));
  return {
    benchmark: name,
    "req/s": round(median(runs.map((run) => run.rps)), 0),
    "p50 ms": median(runs.map((run) => run.p50)),
    "p99 ms": median(runs.map((run) => run.p99)),
    "not 2xx": runs.reduce((sum, run) => sum + run.notOk, 0),
    "server CPU µs/req": round(median(runs.map((run) => run.cpu.server)), 0),
    "Redis CPU µs/req": round(median(runs.map((run) => run.cpu.redis)), 0),
    "Postgres CPU µs/req": round(median(runs.map((run) => run.cpu.postgres)), 0),
    "catch-up s": catchUps.length === 0 ? "" : round(median(catchUps), 2),
    "vs naive": `${round(median(runs.map((run, index) => run.rps / (naive[index]?.rps ?? Number.NaN))), 2)}x`,
    target,
  };
};

export async function benchWritePath(): Promise<Row[]> {
  const server = await startServer();
  const redis = new Redis(redisUrl);
  const database = new pg.Client({ connectionString: postgresUrl, options: `-c search_path=${server.schema}` });
  await database.connect();
  try {
    const store = await createEventStore({ redis, prefix: server.prefix, partitions: 8 });
    const sessionIds = await createSessions(server);
    await catchUpSeconds(store, database);
    const naive: Run[] = [];
    const ours: Run[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      naive.push(await load(server, redis, server.naivePort, sessionIds));
      const run = await load(server, redis, server.appPort, sessionIds);
      ours.push({ ...run, catchUp: await catchUpSeconds(store, database) });
    }
    return [
      loadRow("baseline: naive route (zod + one pg INSERT)", naive, naive, "baseline"),
      loadRow("POST .../sessions/:id/prompts, projector running", ours, naive, ">= 1.0x naive, p99 < 25 ms, catch-up <= 2 s"),
    ];
  } finally {
    await database.end();
    await server.stop();
    redis.disconnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(`load average before: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
  console.table(await benchWritePath());
  const redis = new Redis(redisUrl);
  console.table(await promptHistoryRows(redis));
  redis.disconnect();
  console.log(`load average after: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
}
