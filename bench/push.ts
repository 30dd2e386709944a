import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { GENESIS_HASH } from "../events/envelope.ts";
import { createEventStore } from "../src/eventStore/eventStore.ts";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import { createSubscriptions } from "../src/push/subscriptions.ts";
import { loadVapidKeys } from "../src/push/vapidKeys.ts";
import { createBrowserKeys } from "../test/push/browserPush.ts";
import { selfSignedCertificate, startPushService } from "../test/push/pushServices.ts";
import { benchMeta, openBenchSchema, sessionCreated } from "./fixtures.ts";
import { percentile, round, serverScript, type Row } from "./stats.ts";

/**
 * Push latency: from a triggering event (JobCompleted) entering the log to the local HTTPS Web
 * Push service receiving (and decrypting) it, with SUBSCRIPTIONS Web Push subscriptions, the
 * notifier in a process of its own. Baseline in the same run: one plain XADD → XREAD hop (a
 * blocked reader on another connection), the floor any consumer of the log starts from.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const SUBSCRIPTIONS = Number(process.env.BENCH_PUSH_SUBSCRIPTIONS ?? 100);
const EVENTS = Number(process.env.BENCH_PUSH_EVENTS ?? 20);
const prefix = `bench:push:${randomUUID().slice(0, 8)}:`;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const row = (name: string, latencies: number[], target = ""): Row => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { benchmark: name, samples: sorted.length, "p50 ms": round(percentile(sorted, 50), 2), "p99 ms": round(percentile(sorted, 99), 2), target };
};

const waitFor = async (check: () => boolean, what: string, timeoutMs = 60_000) => {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
};

/** Baseline: XADD on one connection until a blocked XREAD on another returns it. */
const xaddToXread = async (redis: Redis, samples: number) => {
  const reader = redis.duplicate();
  const key = `${prefix}baseline`;
  const latencies: number[] = [];
  let last = "$";
  try {
    for (let index = 0; index < samples; index += 1) {
      const read = reader.xread("BLOCK", 5000, "STREAMS", key, last) as Promise<[string, [string, string[]][]][] | null>;
      await sleep(1);
      const sent = now();
      await redis.xadd(key, "*", "n", String(index));
      const reply = await read;
      latencies.push(now() - sent);
      last = reply?.[0]?.[1].at(-1)?.[0] ?? last;
    }
  } finally {
    reader.disconnect();
  }
  return latencies;
};

const startNotifier = async (certFile: string, schema: string) => {
  const server = serverScript("pushServer");
  const child = spawn(process.execPath, [...server.execArgv, server.file], {
    stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, BENCH_PREFIX: prefix, BENCH_SCHEMA: schema, NODE_EXTRA_CA_CERTS: certFile },
  });
  await once(createInterface({ input: child.stdout }), "line");
  return async () => {
    child.kill("SIGTERM");
    await once(child, "exit");
  };
};

export async function benchPush(): Promise<Row[]> {
  const redis = new Redis(redisUrl);
  const store = await createEventStore({ redis, prefix, partitions: 8 });
  const database = await openBenchSchema(4);
  const tls = selfSignedCertificate();
  const vapid = await loadVapidKeys({ redis, prefix, subject: "mailto:bench@example.invalid", configured: undefined });
  const pushService = await startPushService(tls, () => vapid.publicKey);
  let stopNotifier = async () => {};
  try {
    const baseline = await xaddToXread(redis, 200);
    const subscriptions = createSubscriptions(database.db);
    const afterEntries = await Promise.all(Array.from({ length: store.partitions }, (_, partition) => store.lastEntryId(partition)));
    for (let index = 0; index < SUBSCRIPTIONS; index += 1) {
      const keys = createBrowserKeys();
      const endpoint = pushService.subscribe(`s${index}`, keys);
      await subscriptions.create({ owner: "bench", target: { channel: "webpush", endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } }, secret: null, events: ["job_completed"], sessionIds: null, afterEntries });
    }
    stopNotifier = await startNotifier(tls.certFile, database.schema);
    const sessionId = randomUUID();
    let { version, lastHash } = await store.append(sessionId, 0, [sessionCreated], { meta: benchMeta, expectedHash: GENESIS_HASH });
    const each: number[] = [];
    const first: number[] = [];
    const all: number[] = [];
    for (let index = 0; index < EVENTS; index += 1) {
      const promptId = randomUUID();
      const before = pushService.received.length;
      const completed = { type: "JobCompleted" as const, data: { jobId: randomUUID(), promptId, resultSubtype: "success", isError: false, exitCode: 0, resultText: "done" } };
      ({ version, lastHash } = await store.append(sessionId, version, [completed], { meta: benchMeta, expectedHash: lastHash }));
      const inLog = now();
      await waitFor(() => pushService.received.length - before >= SUBSCRIPTIONS, `${SUBSCRIPTIONS} pushes of event ${index}`);
      const arrivals = pushService.received.slice(before).filter((one) => one.payload.promptId === promptId).map((one) => one.at - inLog).sort((a, b) => a - b);
      each.push(...arrivals);
      first.push(arrivals[0] ?? Number.NaN);
      all.push(arrivals.at(-1) ?? Number.NaN);
      await sleep(20);
    }
    if (pushService.errors.length > 0) throw new Error(`the push service refused: ${pushService.errors.slice(0, 3).join("; ")}`);
    return [
      row("baseline: XADD → blocked XREAD on another connection", baseline),
      row(`event in the log → first of ${SUBSCRIPTIONS} Web Pushes received`, first),
      row(`event in the log → each Web Push received (${SUBSCRIPTIONS} subscriptions)`, each),
      row(`event in the log → all ${SUBSCRIPTIONS} received`, all),
    ];
  } finally {
    await stopNotifier();
    await pushService.close();
    await database.close();
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
    rmSync(tls.folder, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await benchPush());
}
