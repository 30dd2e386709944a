import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { createEventStore } from "../src/eventStore/eventStore.ts";
import { createSessionCommandHandler } from "../src/eventStore/sessionCommandHandler.ts";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import { percentile, round, serverScript, type Row } from "./stats.ts";

/**
 * The approval round trip, with the api and a runner in processes of their own:
 * - from the CLI printing a `can_use_tool` control_request to its PermissionRequested on a
 *   phone's live stream (SSE);
 * - from the phone's POST of its decision to the control_response arriving on the CLI's stdin.
 * The fake CLI ("ASK n") stamps each request's input with the wall clock and reports when each
 * answer arrived. Baselines in the same run: an event appended by the command path straight to
 * the store until it is on the same live stream, and a PATCH's HTTP round trip.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const REQUESTS = Number(process.env.BENCH_APPROVALS ?? 200);
const token = `bench-${randomUUID()}`;
const prefix = `bench:approvals:${randomUUID().slice(0, 8)}:`;
const meta = { actor: "bench", correlationId: "bench", causationId: null, requestId: null };
const now = () => performance.timeOrigin + performance.now();

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

const api = (port: number) => async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

type StoredEvent = { type: string; data: Record<string, unknown> };

/** A phone's SSE stream of a session (live only): calls `onEvent` with each stored event as it arrives. */
const follow = (port: number, sessionId: string, onEvent: (event: StoredEvent, arrived: number) => void) =>
  new Promise<() => void>((resolve, reject) => {
    const request = httpRequest({
      host: "127.0.0.1", port, path: `/api/claude-code/sessions/${sessionId}/stream`, agent: false,
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    }, (response) => {
      let buffer = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        const arrived = now();
        buffer += chunk;
        for (let cut = buffer.indexOf("\n\n"); cut !== -1; cut = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (!frame.startsWith("id: ")) continue;
          const data = frame.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
          onEvent(JSON.parse(data) as StoredEvent, arrived);
        }
      });
      resolve(() => request.destroy());
    });
    request.on("error", reject);
    request.end();
  });

const row = (name: string, latencies: number[], target = ""): Row => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { benchmark: name, samples: sorted.length, "p50 ms": round(percentile(sorted, 50), 2), "p99 ms": round(percentile(sorted, 99), 2), target };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const waitFor = async (check: () => boolean, what: string, timeoutMs = 60_000) => {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
};

/** The round trip measured: the phone answers each request as soon as its stream shows it. */
const approvals = async (port: number, folder: string) => {
  const call = api(port);
  const sessionId = String((await call("POST", "/api/claude-code/sessions", { projectPath: folder })).body.id);
  const toStream: number[] = [];
  const posted = new Map<string, number>();
  let ended = false;
  const stop = await follow(port, sessionId, (event, arrived) => {
    if (event.type === "PermissionRequested") {
      const requestId = String(event.data.requestId);
      toStream.push(arrived - Number((event.data.input as { ts: number }).ts));
      posted.set(requestId, now());
      void call("POST", `/api/claude-code/sessions/${sessionId}/permissions/${requestId}`, { decision: "allow" }).then((answer) => {
        if (answer.status !== 200) throw new Error(`decision refused: ${answer.status} ${JSON.stringify(answer.body)}`);
      });
    }
    if (event.type === "JobCompleted" || event.type === "JobFailed") ended = true;
  });
  try {
    await call("POST", `/api/claude-code/sessions/${sessionId}/prompts`, { prompt: `ASK ${REQUESTS}` });
    await waitFor(() => ended, "the job to end", 120_000);
  } finally {
    stop();
  }
  return { sessionId, toStream, posted };
};

/** When each answer reached the CLI: its "answered <id> at <ts>" lines, from the session's events. */
const answerTimes = async (store: Awaited<ReturnType<typeof createEventStore>>, sessionId: string) => {
  const times = new Map<string, number>();
  for (const event of (await store.readSession(sessionId)).events) {
    const match = /answered (\S+) at ([0-9.]+)/.exec(JSON.stringify(event.data));
    if (event.type === "RunnerEventEmitted" && match) times.set(match[1] ?? "", Number(match[2]));
  }
  return times;
};

/** Baseline: events decided and appended by the command path in this process, until they are on the stream. */
const eventToStream = async (port: number, store: Awaited<ReturnType<typeof createEventStore>>, folder: string) => {
  const commands = createSessionCommandHandler(store);
  const sessionId = String((await api(port)("POST", "/api/claude-code/sessions", { projectPath: folder })).body.id);
  const latencies: number[] = [];
  const stop = await follow(port, sessionId, (event, arrived) => {
    if (event.type === "SessionUpdated") latencies.push(arrived - Number(event.data.context));
  });
  try {
    for (let index = 0; index < REQUESTS; index += 1) {
      await commands.execute(sessionId, { type: "UpdateSession", data: { context: String(now()) } }, { meta });
      await sleep(2);
    }
    await waitFor(() => latencies.length >= REQUESTS, "the updates on the stream");
  } finally {
    stop();
  }
  return latencies;
};

/** Baseline: a write's HTTP round trip (PATCH the session's context). */
const patchRoundTrips = async (port: number, folder: string) => {
  const call = api(port);
  const sessionId = String((await call("POST", "/api/claude-code/sessions", { projectPath: folder })).body.id);
  const latencies: number[] = [];
  for (let index = 0; index < REQUESTS; index += 1) {
    const start = now();
    const patched = await call("PATCH", `/api/claude-code/sessions/${sessionId}`, { context: `c${index}` });
    if (patched.status !== 200) throw new Error(`PATCH refused: ${patched.status}`);
    latencies.push(now() - start);
  }
  return latencies;
};

export async function benchApprovals(): Promise<Row[]> {
  const redis = new Redis(redisUrl);
  const store = await createEventStore({ redis, prefix, partitions: 8 });
  const folder = mkdtempSync(join(tmpdir(), "ccm-bench-approvals-"));
  const children: Child[] = [];
  try {
    const apiProcess = await startProcess("api");
    children.push(apiProcess, await startProcess("runner"));
    const port = Number(apiProcess.line.port);
    const baselineStream = await eventToStream(port, store, folder);
    const baselinePatch = await patchRoundTrips(port, folder);
    const run = await approvals(port, folder);
    const answered = await answerTimes(store, run.sessionId);
    const toCli = [...run.posted].flatMap(([requestId, at]) => {
      const arrived = answered.get(requestId);
      return arrived === undefined ? [] : [arrived - at];
    });
    if (toCli.length < REQUESTS) throw new Error(`only ${toCli.length}/${REQUESTS} answers reached the CLI`);
    return [
      row("baseline: command appended → on the live stream", baselineStream),
      row("baseline: PATCH session, HTTP round trip", baselinePatch),
      row("CLI control_request → PermissionRequested on the live stream", run.toStream, "p99 < 50 ms"),
      row("phone POST decision → control_response on the CLI's stdin", toCli, "p99 < 50 ms"),
    ];
  } finally {
    for (const child of children.reverse()) await child.stop();
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
    rmSync(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await benchApprovals());
}
