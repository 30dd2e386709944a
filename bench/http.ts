import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { cpuPerRequest, cpuSnapshot } from "./cpu.ts";
import { round, serverScript, type Row } from "./stats.ts";

/**
 * HTTP throughput and latency under autocannon (50 connections), the server in a child
 * process: the prompt POST and the session GET of the real app, side by side with a bare
 * Fastify route measured in the same run. Target: prompt POST >= 25% of the bare route's
 * throughput, p99 < 25 ms.
 */
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const SESSIONS = Number(process.env.BENCH_HTTP_SESSIONS ?? 2000);

interface Server { appPort: number; barePort: number; token: string; pid: number; stop: () => Promise<void> }

const startServer = async (): Promise<Server> => {
  const server = serverScript("httpServer");
  const child = spawn(process.execPath, [...server.execArgv, server.file], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  const ready = JSON.parse(line) as Omit<Server, "stop" | "pid">;
  return { ...ready, pid: child.pid ?? 0, stop: async () => { child.kill("SIGTERM"); await once(child, "exit"); } };
};

type Request = { method: "GET" | "POST"; path: string; body?: string };

const load = async (server: Server, redis: Redis, port: number, headers: Record<string, string>, next: () => Request) => {
  const cpuBefore = await cpuSnapshot(server.pid, redis);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers,
    requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }],
  });
  const cpu = cpuPerRequest(cpuBefore, await cpuSnapshot(server.pid, redis), result.requests.total);
  return {
    rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx,
    serverUs: cpu.server, redisUs: cpu.redis, postgresUs: cpu.postgres,
  };
};

const createSessions = async (server: Server, count: number): Promise<string[]> => {
  const ids: string[] = [];
  let position = "";
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(`http://127.0.0.1:${server.appPort}/api/claude-code/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: JSON.stringify({ folderName: "project", context: `bench session ${index}` }),
    });
    const created = (await response.json()) as { id: string; position: string };
    ids.push(created.id);
    position = created.position;
  }
  // The GET reads the read model: wait until the projector has every session.
  await fetch(`http://127.0.0.1:${server.appPort}/api/claude-code/sessions/${ids.at(-1)}?minPosition=${encodeURIComponent(position)}`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  return ids;
};

const roundRobin = <T>(items: readonly T[]) => {
  let index = 0;
  return () => items[index++ % items.length] as T;
};

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

type Run = Awaited<ReturnType<typeof load>>;

/**
 * Rounds interleave the bare route and ours, so a busy machine slows both alike; each
 * figure is the median over the rounds, and "vs bare" the median of the per-round ratios.
 */
export async function benchHttp(): Promise<Row[]> {
  const server = await startServer();
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    const json = { "content-type": "application/json" };
    const auth = { authorization: `Bearer ${server.token}`, ...json };
    const prompt = JSON.stringify({ prompt: "Explain what the function parseConfig does and suggest one test." });
    const sessions = roundRobin(await createSessions(server, SESSIONS));
    const loads = {
      bareGet: () => load(server, redis, server.barePort, {}, () => ({ method: "GET", path: "/bare" })),
      barePost: () => load(server, redis, server.barePort, json, () => ({ method: "POST", path: "/bare", body: prompt })),
      post: () => load(server, redis, server.appPort, auth, () => ({ method: "POST", path: `/api/claude-code/sessions/${sessions()}/prompts`, body: prompt })),
      get: () => load(server, redis, server.appPort, auth, () => ({ method: "GET", path: `/api/claude-code/sessions/${sessions()}` })),
    };
    const runs: Record<keyof typeof loads, Run[]> = { bareGet: [], barePost: [], post: [], get: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, run] of Object.entries(loads)) runs[name as keyof typeof loads].push(await run());
    }
    const row = (name: string, key: keyof typeof loads, target: string): Row => ({
      route: name,
      "req/s": round(median(runs[key].map((run) => run.rps)), 0),
      "p50 ms": median(runs[key].map((run) => run.p50)),
      "p99 ms": median(runs[key].map((run) => run.p99)),
      errors: runs[key].reduce((sum, run) => sum + run.errors, 0),
      "server CPU µs/req": round(median(runs[key].map((run) => run.serverUs)), 0),
      "Redis CPU µs/req": round(median(runs[key].map((run) => run.redisUs)), 0),
      "Postgres CPU µs/req": round(median(runs[key].map((run) => run.postgresUs)), 0),
      "vs bare GET": `${round(median(runs[key].map((run, index) => (100 * run.rps) / (runs.bareGet[index]?.rps ?? Number.NaN))), 1)}%`,
      "vs bare POST": `${round(median(runs[key].map((run, index) => (100 * run.rps) / (runs.barePost[index]?.rps ?? Number.NaN))), 1)}%`,
      target,
    });
    const prompts = runs.post.reduce((sum, run) => sum + run.rps * SECONDS, 0);
    return [
      row("bare Fastify GET /bare", "bareGet", "baseline"),
      row("bare Fastify POST /bare (JSON body)", "barePost", "baseline"),
      row("POST .../sessions/:id/prompts", "post", ">= 25% of bare, p99 < 25 ms"),
      row(`GET .../sessions/:id (<= ${round(prompts / SESSIONS + 1, 0)} events/session)`, "get", "p99 < 25 ms (Postgres read model)"),
    ];
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await benchHttp());
}
