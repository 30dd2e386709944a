import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { sessionDecider, type SessionCommand, type SessionState } from "../../commands/session/index.ts";
import { decodeEvent } from "../../events/registry.ts";
import { archiveProjection } from "../../projections/archive.ts";
import { createTokenStore, type TokenScope } from "../../src/auth/tokens.ts";
import { parseConfig } from "../../src/config.ts";
import { createCachedCommandHandler } from "../../src/eventStore/cachedCommandHandler.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import { sessionsProjection } from "../../projections/index.ts";
import { createProjector } from "../../src/projector/projector.ts";
import { createSessionReads } from "../../src/readModels/sessionReads.ts";
import { buildApp } from "../../src/http/app.ts";
import type { Database } from "../../src/infra/database.ts";
import { createTestDatabase } from "../support/postgres.ts";
import { createTestStore } from "../support/redis.ts";

/** Archives everything in the partition logs, as the archive projector would. */
export const archiveAll = async (store: EventStore, db: Database) => {
  for (let partition = 0; partition < store.partitions; partition += 1) {
    let start = "-";
    for (;;) {
      const page = await store.readPartition(partition, start, "+", 1000);
      if (page.length === 0) break;
      await archiveProjection.handle(page.map((stored) => ({ ...stored, event: decodeEvent(stored.envelope) })), db);
      start = `(${page.at(-1)?.entryId ?? ""}`;
    }
  }
};

/** A pino logger whose lines the test can read. */
export const captureLogs = () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines };
};

/**
 * The HTTP app over real Redis and Postgres with one token per scope. The bootstrap
 * (static) token is admin, as in production.
 */
export const createAuditApp = async () => {
  const { store, redis, prefix, close: closeStore } = await createTestStore(4);
  const database = await createTestDatabase();
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), "ccm-audit-")));
  const root = join(scratch, "repos");
  mkdirSync(join(root, "alpha"), { recursive: true });
  const bootstrap = "bootstrap-token-0123456789";
  const config = parseConfig({
    GITHUB_REPOS_DIRECTORY: root, DATA_DIR: join(scratch, "data"), CLAUDE_CONFIG_DIR: join(scratch, "claude"),
    REDIS_KEY_PREFIX: prefix, API_TOKEN: bootstrap, LOG_LEVEL: "silent",
    RATE_LIMIT_READS: "100000", RATE_LIMIT_PROMPTS: "100000", RATE_LIMIT_WRITES: "100000",
  });
  const tokens = createTokenStore({ redis, prefix, staticTokens: [{ name: "operator", token: bootstrap, scope: "admin" }] });
  const logs = captureLogs();
  const commands = createCachedCommandHandler(store, sessionDecider);
  // The session read models are projected as in production; the archive is filled by the tests
  // themselves (archiveAll), so that they can make it lag or tamper with it.
  const projector = createProjector({ store, db: database.db, projections: [sessionsProjection], logger: logs.logger });
  await projector.start();
  const reads = createSessionReads({ db: database.db, projections: [sessionsProjection.name], projector });
  const app = await buildApp({
    config, logger: logs.logger, redis, db: database.db, store, version: "test", reads, commands, tokens,
    tokenAdmin: tokens,
  });
  await app.ready();
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const scoped = async (scope: TokenScope) => bearer((await tokens.create(`${scope}-user`, { scope })).token);
  const as: Record<TokenScope | "bootstrap", { authorization: string }> = {
    mobile: await scoped("mobile"), auditor: await scoped("auditor"), admin: await scoped("admin"), bootstrap: bearer(bootstrap),
  };
  return {
    app, store, redis, db: database.db, schema: database.schema, prefix, root, config, tokens, commands, logs, as,
    close: async () => {
      await app.close();
      await projector.stop();
      await database.close();
      await closeStore();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
};

export type AuditApp = Awaited<ReturnType<typeof createAuditApp>>;

type Commands = ReturnType<typeof createCachedCommandHandler<SessionCommand, SessionState>>;

export interface SeededEvent {
  readonly version: number;
  readonly position: string;
  readonly at: string;
}

/**
 * One session's life, 8 events, each command a second after the last (from `start`):
 * 1 SessionCreated, 2 PromptEnqueued ("hello world"), 3 JobStarted, 4 ClaudeSessionLinked,
 * 5 RunnerEventEmitted, 6 JobCompleted, 7 SessionUpdated, 8 PromptEnqueued.
 */
export const seedSession = async (commands: Commands, sessionId: string, options: { actor?: string; start?: number } = {}): Promise<SeededEvent[]> => {
  const meta = { actor: options.actor ?? "phone", correlationId: `c-${sessionId.slice(0, 8)}`, causationId: null, requestId: null };
  const jobId = randomUUID();
  const script: SessionCommand[] = [
    { type: "CreateSession", data: { projectPath: "/repos/alpha", claudeDirectoryPath: "/h/.claude/projects/-repos-alpha", context: null, metadata: { tag: "audit" } } },
    { type: "EnqueuePrompt", data: { promptId: "p-1", messageId: "m-1", prompt: "hello world" } },
    { type: "StartJob", data: { jobId, promptId: "p-1", runnerId: "runner-1", leaseMs: 30_000 } },
    { type: "LinkClaudeSession", data: { claudeSessionId: "claude-1", jobId } },
    { type: "RecordRunnerEvent", data: { jobId, seq: 1, kind: "assistant", message: { type: "assistant", message: { id: "a1", content: [{ type: "text", text: "done" }] } } } },
    { type: "CompleteJob", data: { jobId, resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.01 } },
    { type: "UpdateSession", data: { context: "reviewed" } },
    { type: "EnqueuePrompt", data: { promptId: "p-2", messageId: "m-2", prompt: "second" } },
  ];
  const seeded: SeededEvent[] = [];
  const start = options.start ?? Date.parse("2025-01-01T10:00:00.000Z");
  for (const [index, command] of script.entries()) {
    const now = new Date(start + index * 1000);
    const { result } = await commands(sessionId, command, { meta, now });
    seeded.push({ version: result.version, position: result.position ?? "", at: now.toISOString() });
  }
  return seeded;
};
