import { randomUUID } from "node:crypto";
import type { DomainEvent } from "../../events/registry.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import { createKeys } from "../../src/eventStore/keys.ts";
import type { LiveTuning } from "../../src/http/liveRoutes.ts";
import { testMeta } from "../support/redis.ts";
import { assembleTest, createTestClients, listen, TEST_TOKEN } from "../support/service.ts";

export const TOKEN = TEST_TOKEN;

/**
 * Redis (random prefix) and a Postgres schema shared by the api processes of one test file,
 * and a bare service (no roles) whose store the tests append to directly.
 */
export const createLiveFixture = async () => {
  const clients = await createTestClients();
  const bare = await assembleTest(clients, { roles: [] });
  return {
    ...clients, store: bare.store,
    /** The Redis key of a session's stream: the tests simulate Redis losing events. */
    sessionStreamKey: (sessionId: string) => createKeys(clients.prefix).sessionStream(bare.store.partitionFor(sessionId), sessionId),
    close: async () => {
      await bare.stop();
      await clients.close();
    },
  };
};
export type LiveFixture = Awaited<ReturnType<typeof createLiveFixture>>;

/** One api process, as production assembles it, listening on 127.0.0.1. */
export const startLiveApp = async (fixture: LiveFixture, tuning: LiveTuning = {}) => {
  const service = await assembleTest(fixture, { roles: ["api"], live: tuning });
  const { port } = await listen(service.app);
  const { app, hub, tokens } = service;
  if (!app || !hub || !tokens) throw new Error("the api role did not start");
  return {
    app, hub, tokens, port,
    sse: (sessionId: string, query = "") => `http://127.0.0.1:${port}/api/claude-code/sessions/${sessionId}/stream${query}`,
    ws: (sessionId: string, query = "") => `ws://127.0.0.1:${port}/api/claude-code/sessions/${sessionId}/ws${query}`,
    close: () => service.stop(),
  };
};
export type LiveApp = Awaited<ReturnType<typeof startLiveApp>>;

export const auth = { authorization: `Bearer ${TOKEN}` };

export const created: DomainEvent = {
  type: "SessionCreated",
  data: { projectPath: "/repos/alpha", claudeDirectoryPath: "/claude/alpha", context: null, metadata: {} },
};
export const updated = (n: number): DomainEvent => ({ type: "SessionUpdated", data: { context: `context ${n}` } });

/** Appends events one call each, at the session's head. */
export const appendEach = async (store: EventStore, sessionId: string, events: readonly DomainEvent[]) => {
  for (const event of events) {
    const head = await store.readHead(sessionId);
    await store.append(sessionId, head.version, [event], { meta: testMeta, expectedHash: head.hash });
  }
};

/** A new session with `count` events (SessionCreated then updates). */
export const newSession = async (store: EventStore, count: number) => {
  const sessionId = randomUUID();
  await appendEach(store, sessionId, [created, ...Array.from({ length: count - 1 }, (_, n) => updated(n + 2))]);
  return sessionId;
};

export const versionsOf = (items: readonly { body: unknown }[]) => items.map((item) => (item.body as { version: number }).version);
export const idsOf = (items: readonly { id?: string | undefined }[]) => items.map((item) => item.id);
