import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { createEventStore, type EventStore } from "../src/eventStore/eventStore.ts";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import { percentile, round, serverScript, type Row } from "./stats.ts";

/**
 * The command path under contention, with the api (and projector) and a runner in processes
 * of their own, as a deployment runs them:
 * - cancel latency: DELETE of a running prompt until its JobCancelled is in the log, on a quiet
 *   job (baseline) and on a job whose CLI prints 200 lines/s (each one an event appended by the
 *   runner to the same session);
 * - prompts/s on one hot session against the same load spread over 100 sessions (baseline).
 * Every answer that is not 2xx is counted: contention must never reach the caller.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const CANCELS = Number(process.env.BENCH_CANCELS ?? 30);
const SECONDS = Number(process.env.BENCH_COMMANDS_SECONDS ?? 5);
const CONNECTIONS = 50;
const token = `bench-${randomUUID()}`;
const prefix = `bench:commands:${randomUUID().slice(0, 8)}:`;

type Child = { line: Record<string, unknown>; stop: () => Promise<void> };

const startProcess = async (role: "api" | "runner"): Promise<Child> => {
  const server = serverScript("commandsServer");
  const child = spawn(process.execPath, [...server.execArgv, server.file, role], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BENCH_PREFIX: prefix, BENCH_TOKEN: token },
  });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  return { line: JSON.parse(line) as Record<string, unknown>, stop: async () => { child.kill("SIGTERM"); await once(child, "exit"); } };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the session stream (every 2 ms) until an event of `type` after `fromVersion` appears. */
const waitForEvent = async (store: EventStore, sessionId: string, type: string, fromVersion: number, timeoutMs = 20_000) => {
  const deadline = performance.now() + timeoutMs;
  let from = fromVersion;
  for (;;) {
    const { events } = await store.readSession(sessionId, from);
    for (const event of events) {
      if (event.type === type) return event;
      from = event.version + 1;
    }
    if (performance.now() > deadline) throw new Error(`no ${type} on ${sessionId} within ${timeoutMs} ms`);
    await sleep(2);
  }
};

const api = (port: number) => async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

type Call = ReturnType<typeof api>;

/** Sends `prompt`, waits until it streams, cancels it, and times the DELETE → JobCancelled. */
const cancelLatencies = async (store: EventStore, call: Call, folder: string, prompt: string) => {
  const session = await call("POST", "/api/claude-code/sessions", { projectPath: folder });
  const sessionId = String(session.body.id);
  const latencies: number[] = [];
  let refused = 0;
  for (let index = 0; index < CANCELS; index += 1) {
    const head = (await store.readSession(sessionId)).version;
    const sent = await call("POST", `/api/claude-code/sessions/${sessionId}/prompts`, { prompt });
    if (sent.status !== 202) throw new Error(`prompt refused: ${sent.status} ${JSON.stringify(sent.body)}`);
    const started = await waitForEvent(store, sessionId, "JobStarted", head + 1);
    // Let the job print for a while: the runner is appending when the cancel arrives.
    await waitForEvent(store, sessionId, "RunnerEventEmitted", started.version + 1);
    await sleep(100);
    const from = (await store.readSession(sessionId)).version;
    const before = performance.now();
    const cancel = await call("DELETE", `/api/claude-code/sessions/${sessionId}/prompts/${String(sent.body.promptId)}`);
    if (cancel.status >= 300) {
      refused += 1;
      continue;
    }
    await waitForEvent(store, sessionId, "JobCancelled", from + 1);
    latencies.push(performance.now() - before);
  }
  return { latencies: latencies.sort((a, b) => a - b), refused };
};

const cancelRow = (name: string, run: { latencies: number[]; refused: number }, target: string): Row => ({
  benchmark: name,
  "p50 ms": round(percentile(run.latencies, 50), 1),
  "p99 ms": round(percentile(run.latencies, 99), 1),
  "prompts/s": "",
  "not 2xx": run.refused,
  target,
});

/** autocannon against the prompt route, the sessions chosen round-robin. */
const promptLoad = async (port: number, sessionIds: readonly string[]) => {
  let next = 0;
  const body = JSON.stringify({ prompt: "Explain what the function parseConfig does and suggest one test." });
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    requests: [{ setupRequest: (request) => ({ ...request, method: "POST", path: `/api/claude-code/sessions/${sessionIds[next++ % sessionIds.length]}/prompts`, body }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, notOk: result.non2xx + result.errors };
};

const loadRow = (name: string, run: Awaited<ReturnType<typeof promptLoad>>, target: string): Row => ({
  benchmark: name,
  "p50 ms": run.p50,
  "p99 ms": run.p99,
  "prompts/s": round(run.rps, 0),
  "not 2xx": run.notOk,
  target,
});

export async function benchCommands(): Promise<Row[]> {
  const redis = new Redis(redisUrl);
  const store = await createEventStore({ redis, prefix, partitions: 8 });
  const folder = mkdtempSync(join(tmpdir(), "ccm-bench-commands-"));
  const apiProcess = await startProcess("api");
  const children: Child[] = [apiProcess];
  try {
    const call = api(Number(apiProcess.line.port));
    const sessions = [];
    for (let index = 0; index < 100; index += 1) sessions.push(String((await call("POST", "/api/claude-code/sessions", { projectPath: folder })).body.id));
    // No runner yet: the prompts only queue, so the load is the command path alone.
    const spread = await promptLoad(Number(apiProcess.line.port), sessions);
    const hot = await promptLoad(Number(apiProcess.line.port), sessions.slice(0, 1));
    // Their queues must not keep the runner busy during the cancels.
    for (const sessionId of sessions) await call("DELETE", `/api/claude-code/sessions/${sessionId}`);
    children.push(await startProcess("runner"));
    const quiet = await cancelLatencies(store, call, folder, "HANG");
    const busy = await cancelLatencies(store, call, folder, "STREAM 200");
    return [
      loadRow("baseline: POST prompts over 100 sessions", spread, "baseline"),
      loadRow("POST prompts on one hot session", hot, "0 not 2xx"),
      cancelRow("baseline: cancel a running job that prints nothing", quiet, "baseline"),
      cancelRow("cancel a running job whose runner appends 200 events/s", busy, "0 not 2xx"),
    ];
  } finally {
    for (const child of children.reverse()) await child.stop();
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
    rmSync(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await benchCommands());
}
