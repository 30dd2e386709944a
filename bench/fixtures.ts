import { randomUUID } from "node:crypto";
import { GENESIS_HASH } from "../events/envelope.ts";
import type { DomainEvent } from "../events/registry.ts";
import type { EventStore } from "../src/eventStore/eventStore.ts";
import { openMigratedSchema, type MigratedSchema } from "../test/support/postgres.ts";

/** What the benchmarks share: a migrated Postgres schema of their own, and a bulk history. */
export const postgresUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const benchMeta = { actor: "bench", correlationId: "bench", causationId: null, requestId: null };

/** A new schema, migrated to the latest version; `close()` drops it. */
export const openBenchSchema = (maxConnections = 10): Promise<MigratedSchema> => openMigratedSchema(postgresUrl, "bench", maxConnections);

/**
 * Appends `sessions` sessions, each as the appends `batchesFor(index)` lists (the first one
 * starting with SessionCreated), from `writers` writers in parallel. Returns the events written.
 */
export const appendSessions = async (
  store: EventStore,
  sessions: number,
  batchesFor: (index: number) => DomainEvent[][],
  writers = 32,
): Promise<number> => {
  let next = 0;
  let written = 0;
  const writer = async () => {
    for (let index = next++; index < sessions; index = next++) {
      const sessionId = randomUUID();
      let version = 0;
      let hash = GENESIS_HASH;
      for (const events of batchesFor(index)) {
        const result = await store.append(sessionId, version, events, { meta: benchMeta, expectedHash: hash });
        version = result.version;
        hash = result.lastHash;
        written += events.length;
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  return written;
};

export const sessionCreated: DomainEvent = {
  type: "SessionCreated",
  data: { projectPath: "/repos/app", claudeDirectoryPath: "/h/.claude/projects/-repos-app", context: null, metadata: { bench: true } },
};
