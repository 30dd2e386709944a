import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import pino from "pino";
import { sessionDecider } from "../../commands/session/index.ts";
import type { DomainEvent } from "../../events/registry.ts";
import { createTokenStore } from "../../src/auth/tokens.ts";
import { parseConfig } from "../../src/config.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import { createCommandHandler } from "../../src/eventStore/handleCommand.ts";
import { allProjections } from "../../projections/index.ts";
import { createSessionReads } from "../../src/readModels/sessionReads.ts";
import { buildApp } from "../../src/http/app.ts";
import { liveRoutes, type LiveRoutesOptions } from "../../src/http/liveRoutes.ts";
import type { Database } from "../../src/infra/database.ts";
import { createLiveHub, type LiveHub } from "../../src/live/hub.ts";
import { createTestDatabase } from "../support/postgres.ts";
import { createTestStore, testMeta } from "../support/redis.ts";

export const TOKEN = "live-test-token-0123456789";
export const logger = pino({ level: "silent" });

/** Redis (random prefix) and a Postgres schema shared by the apps of one test file. */
export const createLiveFixture = async () => {
  const { store, redis, prefix, close: closeStore } = await createTestStore(4);
  const database = await createTestDatabase();
  const scratch = mkdtempSync(join(tmpdir(), "ccm-live-"));
  return {
    store, redis, prefix, db: database.db as Database, scratch,
    close: async () => {
      await database.close();
      await closeStore();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
};
export type LiveFixture = Awaited<ReturnType<typeof createLiveFixture>>;

/**
 * One api process: the real app from `buildApp` (with its global bearer hook), its own hub,
 * the live routes, listening on 127.0.0.1.
 */
export const startLiveApp = async (fixture: LiveFixture, options: Partial<LiveRoutesOptions> = {}) => {
  const { store, redis, prefix } = fixture;
  const config = parseConfig({
    REDIS_KEY_PREFIX: prefix, API_TOKEN: TOKEN, LOG_LEVEL: "silent", DATA_DIR: join(fixture.scratch, "data"),
    GITHUB_REPOS_DIRECTORY: fixture.scratch, CLAUDE_CONFIG_DIR: join(fixture.scratch, "claude"),
  });
  const tokens = createTokenStore({ redis, prefix, staticTokens: [{ name: "phone", token: TOKEN }] });
  const app: FastifyInstance = await buildApp({
    config, logger, redis, db: fixture.db, store, version: "test",
    reads: createSessionReads({ db: fixture.db, projections: allProjections.map((projection) => projection.name) }), commands: createCommandHandler(store, sessionDecider), tokens,
  });
  const hub: LiveHub = options.hub ?? createLiveHub({ store, redis, logger, blockMs: 1000 });
  const authenticate = async (token: string) => {
    const identity = await tokens.verify(token);
    return identity ? { actor: identity.name } : null;
  };
  await app.withTypeProvider<ZodTypeProvider>().register(liveRoutes, { store, hub, logger, authenticate, ...options });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    app, hub, port,
    sse: (sessionId: string, query = "") => `http://127.0.0.1:${port}/api/claude-code/sessions/${sessionId}/stream${query}`,
    ws: (sessionId: string, query = "") => `ws://127.0.0.1:${port}/api/claude-code/sessions/${sessionId}/ws${query}`,
    close: async () => {
      await app.close();
      await hub.stop();
    },
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
