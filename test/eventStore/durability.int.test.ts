import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, expect, it } from "vitest";
import { verifyChain } from "../../events/envelope.ts";
import { createEventStore } from "../../src/eventStore/eventStore.ts";
import { startEmbeddedRedis } from "../../src/infra/embeddedRedis.ts";
import { testMeta } from "../support/redis.ts";

const dataDir = mkdtempSync(join(tmpdir(), "ccm-durability-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const logger = pino({ level: "silent" });

it("in strict mode, Redis fsyncs every write, and every acknowledged append survives a kill -9", async () => {
  const first = await startEmbeddedRedis(dataDir, "strict", logger);
  const redis = new Redis(first.url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  expect(await redis.config("GET", "appendfsync")).toEqual(["appendfsync", "always"]);
  expect(await redis.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
  const store = await createEventStore({ redis, prefix: "ccm:", partitions: 4 });
  const sessionId = randomUUID();
  let acknowledged = 0;
  for (let index = 0; index < 200; index += 1) {
    await store.append(sessionId, index, [{ type: "SessionUpdated", data: { context: `turn ${index}` } }], { meta: testMeta });
    acknowledged += 1;
  }
  expect(first.pid).toBeGreaterThan(0);
  process.kill(Number(first.pid), "SIGKILL");
  await first.stop();
  redis.disconnect();

  const second = await startEmbeddedRedis(dataDir, "strict", logger);
  const reopened = new Redis(second.url);
  try {
    const again = await createEventStore({ redis: reopened, prefix: "ccm:", partitions: 4 });
    const { events, version } = await again.readSession(sessionId);
    expect(version).toBe(acknowledged);
    expect(verifyChain(sessionId, events)).toEqual({ ok: true, events: acknowledged });
  } finally {
    reopened.disconnect();
    await second.stop();
  }
}, 30_000);
