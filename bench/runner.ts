import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import pino from "pino";
import { parseConfig } from "../src/config.ts";
import { createEventStore, type EventStore } from "../src/eventStore/eventStore.ts";
import { assemble } from "../src/main.ts";
import { percentile, round, type Row } from "./stats.ts";

/**
 * Runner overhead: from the CLI writing a stream-json line to its RunnerEventEmitted being in
 * Redis. A fake CLI (test/support/fakeClaude.mjs, "BENCH n") prints lines stamped with the wall
 * clock, 2 ms apart; a blocking read of the session's partition log stamps their arrival. The baseline
 * row is the pipe alone: the same script spawned bare, lines stamped when the parent reads
 * them. Target: overhead p99 < 5 ms.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const fakeCli = new URL("../test/support/fakeClaude.mjs", import.meta.url).pathname;
const meta = { actor: "bench", correlationId: "bench", causationId: null, requestId: null };
const now = () => performance.timeOrigin + performance.now();
const LINES = Number(process.env.BENCH_RUNNER_LINES ?? 2000);

const userLine = (text: string) => `${JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "text", text }] } })}\n`;

/** The pipe alone: spawn the fake CLI and stamp each line as the parent reads it. */
const pipeLatencies = async (count: number): Promise<number[]> => {
  const child = spawn(process.execPath, [fakeCli], { stdio: ["pipe", "pipe", "inherit"] });
  const latencies: number[] = [];
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const arrived = now();
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const ts = (JSON.parse(line) as { ts?: number }).ts;
      if (ts !== undefined) latencies.push(arrived - ts);
      if (line.includes('"type":"result"')) child.stdin.end();
    }
  });
  child.stdin.write(userLine(`BENCH ${count}`));
  await new Promise((resolve) => child.once("close", resolve));
  return latencies;
};

/** Follows the session's partition log with blocking reads and stamps each runner event's arrival. */
const followSession = async (store: EventStore, sessionId: string, expected: number) => {
  const tail = await store.openTail({ partitions: [store.partitionFor(sessionId)], blockMs: 10_000 });
  const latencies: number[] = [];
  const done = (async () => {
    try {
      while (latencies.length < expected) {
        const entries = await tail.read();
        if (entries.length === 0) throw new Error(`no events for 10 s; got ${latencies.length}/${expected}`);
        const arrived = now();
        for (const entry of entries) {
          if (entry.sessionId !== sessionId) continue;
          const envelope = JSON.parse(entry.body) as { type: string; data: { message?: { ts?: number } } };
          const ts = envelope.type === "RunnerEventEmitted" ? envelope.data.message?.ts : undefined;
          if (ts !== undefined) latencies.push(arrived - ts);
        }
      }
    } finally {
      tail.close();
    }
  })();
  return { latencies, done };
};

const row = (name: string, latencies: number[]): Row => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    benchmark: name,
    lines: sorted.length,
    "p50 ms": round(percentile(sorted, 50), 3),
    "p99 ms": round(percentile(sorted, 99), 3),
    "max ms": round(sorted.at(-1) ?? Number.NaN, 3),
  };
};

/** The event store alone: one RunnerEventEmitted-sized append at a time, 2 ms apart. */
const appendLatencies = async (store: EventStore, count: number): Promise<number[]> => {
  const sessionId = randomUUID();
  const message = { type: "assistant", message: { id: "msg_fake", role: "assistant", content: [{ type: "text", text: "line" }] }, session_id: sessionId };
  const latencies: number[] = [];
  let version = 0;
  let hash: string | undefined;
  for (let seq = 0; seq < count; seq += 1) {
    const start = now();
    const event = { type: "RunnerEventEmitted", data: { jobId: "bench", seq, kind: "assistant", message } } as const;
    const result = await store.append(sessionId, version, [event], { meta, ...(hash ? { expectedHash: hash } : {}), idempotencyKey: `bench:${seq}` });
    latencies.push(now() - start);
    version = result.version;
    hash = result.lastHash;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return latencies;
};

const runnerLatencies = async (redis: Redis, prefix: string, project: string): Promise<number[]> => {
  // Bench projects live in the temp folder: that is the repositories folder here.
  const config = parseConfig({ REDIS_KEY_PREFIX: prefix, CLAUDE_CODE_PATH: fakeCli, GITHUB_REPOS_DIRECTORY: tmpdir(), PARTITIONS: "2", LOG_LEVEL: "silent" });
  const logger = pino({ level: "silent" });
  // The runner role through the composition root, and a bare service sending the commands as the api would.
  const runner = await assemble(config, { redis, logger }, { roles: ["runner"], env: { PATH: process.env.PATH ?? "" }, runner: { pollMs: 200 } });
  const api = await assemble(config, { redis, logger }, { roles: [] });
  try {
    const sessionId = randomUUID();
    await api.commands.execute(sessionId, { type: "CreateSession", data: { projectPath: project, claudeDirectoryPath: "", context: null, metadata: {} } }, { meta });
    const follower = await followSession(api.store, sessionId, LINES);
    await api.commands.execute(sessionId, { type: "EnqueuePrompt", data: { promptId: randomUUID(), messageId: randomUUID(), prompt: `BENCH ${LINES}` } }, { meta });
    await follower.done;
    return follower.latencies;
  } finally {
    await runner.stop();
    await api.stop();
  }
};

export async function benchRunner(): Promise<Row[]> {
  const redis = new Redis(redisUrl);
  const prefix = `bench:runner:${randomUUID().slice(0, 8)}:`;
  const project = mkdtempSync(join(tmpdir(), "ccm-bench-runner-"));
  try {
    const baseline = await pipeLatencies(LINES);
    const appends = await appendLatencies(await createEventStore({ redis, prefix, partitions: 2 }), LINES);
    const overhead = await runnerLatencies(redis, prefix, project);
    const result = row("runner: CLI line → RunnerEventEmitted in Redis", overhead);
    return [
      row("baseline: CLI line → read by the parent (pipe only)", baseline),
      row("baseline: one store.append, sequential", appends),
      { ...result, target: "p99 < 5 ms" },
    ];
  } finally {
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
    rmSync(project, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await benchRunner());
}
