import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { request as httpRequest, type ClientRequest } from "node:http";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import { GENESIS_HASH } from "../events/envelope.ts";
import type { DomainEvent } from "../events/registry.ts";
import { createEventStore, type EventStore } from "../src/eventStore/eventStore.ts";
import { percentile, round, serverScript, type Row } from "./stats.ts";

/**
 * Live stream under load: 500 SSE clients on 50 sessions while 50 runners append events.
 * The api runs in a child process (its RSS is measured alone), the runners in another; the
 * clients here measure from the absolute time stamped in each event when its append started.
 * Everything is on 127.0.0.1, bounded in count and time.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const SESSIONS = Number(process.env.BENCH_LIVE_SESSIONS ?? 50);
const CLIENTS = Number(process.env.BENCH_LIVE_CLIENTS ?? 500);
const PHASE_SECONDS = 8;
/** Events per second per session; runners keep independent phases unless in lockstep (worst case: every session appends in the same instant). */
const PHASES = [{ rate: 10, lockstep: false }, { rate: 40, lockstep: false }, { rate: 10, lockstep: true }];
const TOKEN = "bench-token-0123456789abcdef";
const meta = { actor: "bench", correlationId: "bench", causationId: null, requestId: null };
const text = "The quick brown fox jumps over the lazy dog. ".repeat(9);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Session {
  readonly id: string;
  version: number;
  hash: string;
  /** Events the runners appended in the current phase. */
  appended: number;
}

interface Client {
  readonly session: Session;
  lastVersion: number;
  received: number;
  readonly request: ClientRequest;
}

const rawBaseline = async (redis: Redis, key: string, samples = 1000): Promise<Row> => {
  const reader = redis.duplicate();
  const latencies: number[] = [];
  let last = "0-0";
  for (let index = 0; index < samples; index += 1) {
    const read = reader.xread("BLOCK", 1000, "STREAMS", key, last === "0-0" ? "$" : last) as Promise<[string, [string, string[]][]][] | null>;
    await sleep(0);
    const start = performance.now();
    last = (await redis.xadd(key, "*", "e", text)) ?? last;
    await read;
    latencies.push(performance.now() - start);
  }
  reader.disconnect();
  latencies.sort((a, b) => a - b);
  return { benchmark: "raw XADD -> XREAD BLOCK, 1 reader", clients: 1, "p50 ms": round(percentile(latencies, 50)), "p99 ms": round(percentile(latencies, 99)), "delivered/s": "", "api RSS MB": "", "api CPU %": "", "clients CPU %": "", missed: "", "load avg": round(loadavg()[0] ?? 0, 1) };
};

const startApi = (prefix: string) =>
  new Promise<{ child: ChildProcess; port: number }>((resolve, reject) => {
    const server = serverScript("liveServer");
    const child = fork(server.file, [], {
      execArgv: server.execArgv,
      env: { ...process.env, BENCH_REDIS_URL: redisUrl, BENCH_PREFIX: prefix, BENCH_TOKEN: TOKEN },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const timer = setTimeout(() => reject(new Error("api child did not start in 30 s")), 30_000);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve({ child, port: (message as { port: number }).port });
    });
    child.once("exit", (code) => reject(new Error(`api child exited with ${code}`)));
  });

const askRss = (child: ChildProcess) =>
  new Promise<{ rss: number; peakRss: number; cpuPercent: number }>((resolve) => {
    child.once("message", (message) => resolve(message as { rss: number; peakRss: number; cpuPercent: number }));
    child.send("rss");
  });

const append = async (store: EventStore, session: Session, event: DomainEvent) => {
  const result = await store.append(session.id, session.version, [event], { meta, expectedHash: session.hash });
  session.version = result.version;
  session.hash = result.lastHash;
};

/** An SSE client that only reads ids: the cheapest parse, so the numbers are the server's. */
const connect = (port: number, session: Session, latencies: number[][]) =>
  new Promise<Client>((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port, path: `/api/claude-code/sessions/${session.id}/stream`, agent: false,
      headers: { authorization: `Bearer ${TOKEN}`, accept: "text/event-stream" } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`SSE answered ${response.statusCode}`));
      response.setEncoding("utf8");
      let buffer = "";
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let cut = buffer.indexOf("\n\n");
        while (cut !== -1) {
          if (buffer.startsWith("id: 0-")) {
            const version = Number(buffer.slice(6, buffer.indexOf("\n")));
            const sentAt = /"sentAt":([0-9.]+)/.exec(buffer.slice(0, cut))?.[1];
            if (sentAt !== undefined) latencies.at(-1)?.push(performance.timeOrigin + performance.now() - Number(sentAt));
            client.lastVersion = version;
            client.received += 1;
          }
          if (buffer.startsWith("event: snapshot")) resolve(client);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
        }
      });
    });
    const client: Client = { session, lastVersion: 0, received: 0, request };
    request.on("error", reject);
    request.end();
  });

const startRunners = () =>
  new Promise<ChildProcess>((resolve, reject) => {
    const script = serverScript("liveRunners");
    const child = fork(script.file, [], { execArgv: script.execArgv, env: { ...process.env, BENCH_REDIS_URL: redisUrl }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
    child.once("message", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`runners child exited with ${code}`)));
  });

/** Has the runners' process append at `rate` per session for the phase; updates the heads. */
const runRunners = (runners: ChildProcess, prefix: string, sessions: Session[], rate: number, lockstep: boolean) =>
  new Promise<void>((resolve) => {
    runners.once("message", (message) => {
      const heads = (message as { sessions: Session[] }).sessions;
      for (const [index, head] of heads.entries()) Object.assign(sessions[index] as Session, head);
      resolve();
    });
    runners.send({ prefix, sessions: sessions.map((session) => ({ ...session, appended: 0 })), rate, lockstep, seconds: PHASE_SECONDS });
  });

const phase = async (runners: ChildProcess, prefix: string, child: ChildProcess, sessions: Session[], clients: Client[], { rate, lockstep }: typeof PHASES[number], latencies: number[][]): Promise<Row> => {
  latencies.push([]);
  child.send("reset-peak");
  const started = performance.now();
  const harnessCpu = process.cpuUsage();
  await runRunners(runners, prefix, sessions, rate, lockstep);
  const caughtUp = () => clients.every((client) => client.lastVersion === client.session.version);
  for (const give = performance.now() + 10_000; !caughtUp() && performance.now() < give;) await sleep(10);
  const seconds = (performance.now() - started) / 1000;
  const delivered = clients.reduce((sum, client) => sum + client.received, 0);
  const expected = clients.reduce((sum, client) => sum + client.session.appended, 0);
  const { peakRss, cpuPercent } = await askRss(child);
  const harness = process.cpuUsage(harnessCpu);
  const sorted = (latencies.at(-1) ?? []).sort((a, b) => a - b);
  return {
    benchmark: `${CLIENTS} SSE clients / ${SESSIONS} sessions, ${rate} ev/s/session${lockstep ? ", runners in lockstep" : ""}`,
    clients: clients.length,
    "p50 ms": round(percentile(sorted, 50)),
    "p99 ms": round(percentile(sorted, 99)),
    "delivered/s": round(delivered / seconds, 0),
    "api RSS MB": round(peakRss / 1024 / 1024, 1),
    "api CPU %": round(cpuPercent, 0),
    "clients CPU %": round(((harness.user + harness.system) / 1000 / (seconds * 1000)) * 100, 0),
    missed: expected - delivered,
    "load avg": round(loadavg()[0] ?? 0, 1),
  };
};

const deleteKeys = deleteKeysByPrefix;

export async function benchLive(): Promise<Row[]> {
  const redis = new Redis(redisUrl);
  const prefix = `bench:${randomUUID().slice(0, 8)}:`;
  const store = await createEventStore({ redis, prefix, partitions: 8 });
  const rows: Row[] = [await rawBaseline(redis, `${prefix}raw`)];
  const { child, port } = await startApi(prefix);
  const clients: Client[] = [];
  try {
    await sleep(500);
    const bare = await askRss(child);
    rows.push({ benchmark: "api process started, no client (baseline)", clients: 0, "p50 ms": "", "p99 ms": "", "delivered/s": "", "api RSS MB": round(bare.rss / 1024 / 1024, 1), "api CPU %": "", "clients CPU %": "", missed: "", "load avg": round(loadavg()[0] ?? 0, 1) });
    const sessions: Session[] = Array.from({ length: SESSIONS }, () => ({ id: randomUUID(), version: 0, hash: GENESIS_HASH, appended: 0 }));
    for (const session of sessions) {
      await append(store, session, { type: "SessionCreated", data: { projectPath: "/bench", claudeDirectoryPath: "/bench", context: null, metadata: {} } });
    }
    const latencies: number[][] = [[]];
    const connectStart = performance.now();
    for (let index = 0; index < CLIENTS; index += 50) {
      const batch = Array.from({ length: Math.min(50, CLIENTS - index) }, (_, n) => connect(port, sessions[(index + n) % SESSIONS] as Session, latencies));
      clients.push(...(await Promise.all(batch)));
    }
    const connectSeconds = (performance.now() - connectStart) / 1000;
    for (const client of clients) client.lastVersion = client.session.version;
    const idle = await askRss(child);
    rows.push({ benchmark: `${CLIENTS} SSE clients connected, idle (connect ${round(connectSeconds, 2)} s)`, clients: clients.length, "p50 ms": "", "p99 ms": "", "delivered/s": "", "api RSS MB": round(idle.rss / 1024 / 1024, 1), "api CPU %": "", "clients CPU %": "", missed: "", "load avg": round(loadavg()[0] ?? 0, 1) });
    const runners = await startRunners();
    try {
      for (const spec of PHASES) {
        for (const client of clients) client.received = 0;
        rows.push(await phase(runners, prefix, child, sessions, clients, spec, latencies));
      }
    } finally {
      runners.disconnect();
    }
  } finally {
    for (const client of clients) client.request.destroy();
    child.send("stop");
    await new Promise((resolve) => child.once("exit", resolve));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.table(await benchLive());
