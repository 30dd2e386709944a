import { existsSync, mkdirSync, readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { describeConfig, type Config } from "./config.ts";
import { bootstrapToken } from "./auth/bootstrapToken.ts";
import { createTokenStore, type TokenStore } from "./auth/tokens.ts";
import { createEventStore } from "./eventStore/eventStore.ts";
import { startRetention } from "./eventStore/retention.ts";
import { createSessionCommands } from "./eventStore/sessionCommands.ts";
import { createHistoryService } from "./history/historyService.ts";
import { createHistoryWatcher } from "./history/watcher.ts";
import { allProjections } from "../projections/index.ts";
import { archiveQueries } from "../projections/archive.ts";
import { createProjector, projectionGroup, type Projector, type ProjectorOptions } from "./projector/projector.ts";
import { createSessionReads } from "./readModels/sessionReads.ts";
import type { SessionReads } from "./http/sessionReads.ts";
import { listCheckpoints } from "./projector/checkpoints.ts";
import { createLiveHub, type LiveHub } from "./live/hub.ts";
import { createRunner, type Runner, type RunnerDeps } from "./runner/runner.ts";
import { buildApp } from "./http/app.ts";
import type { LiveTuning } from "./http/liveRoutes.ts";
import { openDatabase, type Database } from "./infra/database.ts";
import { migrateToLatest } from "./infra/migrate.ts";
import { connectRedis } from "./infra/redis.ts";

export type Role = "api" | "runner" | "projector";
export const allRoles: readonly Role[] = ["api", "runner", "projector"];

/** The version in package.json, found from the sources or from the compiled `dist/` copy. */
export const packageVersion = (): string => {
  for (const relative of ["../package.json", "../../package.json"]) {
    const file = new URL(relative, import.meta.url);
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  }
  return "unknown";
};

/** The clients a service is assembled over: production opens them in `start`, tests pass their own. */
export interface Clients {
  /** Every role's commands go through it (blocking readers duplicate it). */
  readonly redis: Redis;
  /** Needed by the api and projector roles; a runner needs only Redis. */
  readonly db?: Database;
  readonly logger: Logger;
}

export interface AssembleOptions {
  readonly roles: readonly Role[];
  /** The environment the CLI's allow-listed environment is taken from (the CLI passes process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Runner knobs a test or benchmark may set (the CLI or simulator to use, its id, polling). */
  readonly runner?: Pick<RunnerDeps, "launcher" | "runnerId" | "pollMs">;
  /** Projector knobs a test or benchmark may set (timings, test hooks). */
  readonly projector?: Pick<ProjectorOptions, "blockMs" | "claimIdleMs" | "maxDeliveries" | "hooks" | "batchSize">;
  /** Live stream knobs (buffer limits, heartbeats, WebSocket timings). */
  readonly live?: LiveTuning;
  readonly version?: string;
}

interface Part {
  readonly name: string;
  readonly stop: () => Promise<unknown>;
}

/** Stops parts in reverse order of starting, logging (not throwing) what fails. */
const stopAll = async (parts: Part[], logger: Logger) => {
  for (const part of [...parts].reverse()) {
    try {
      await part.stop();
    } catch (error) {
      logger.error({ err: error, part: part.name }, "error while stopping");
    }
  }
  parts.length = 0;
};

/**
 * The composition root: wires the chosen roles over the given clients and starts their
 * background work (projector, runner, history watcher, retention) without listening. One
 * event store and ONE command handler per process: the api, the runner and the live stream
 * share its fold cache and its per-session order. `stop()` ends the roles in reverse order;
 * the clients stay the caller's.
 */
export const assemble = async (config: Readonly<Config>, clients: Clients, options: AssembleOptions) => {
  const { redis, logger } = clients;
  const { roles } = options;
  const parts: Part[] = [];
  const needsDatabase = roles.includes("api") || roles.includes("projector");
  if (needsDatabase && clients.db === undefined) throw new Error("the api and projector roles need a database");
  const db = clients.db as Database;
  try {
    const store = await createEventStore({ redis, prefix: config.REDIS_KEY_PREFIX, partitions: config.PARTITIONS });
    const commands = createSessionCommands(store, { deadlineMs: config.COMMAND_DEADLINE_MS, cacheSize: config.COMMAND_CACHE_SESSIONS });
    const history = needsDatabase ? createHistoryService({ db, claudeConfigDir: config.CLAUDE_CONFIG_DIR, logger }) : undefined;
    let projector: Projector | undefined;
    if (roles.includes("projector")) {
      projector = createProjector({ store, db, projections: allProjections, logger, ...options.projector });
      await projector.start();
      parts.push({ name: "projector", stop: () => projector?.stop() ?? Promise.resolve() });
      const archivedUpTo = async (partition: number) =>
        (await listCheckpoints(db, ["archive"])).find((row) => row.partition === partition)?.entryId ?? null;
      const retention = startRetention(() => store.trimPartitionLogs([projectionGroup("archive")], archivedUpTo), logger);
      parts.push({ name: "retention", stop: async () => retention.stop() });
    }
    let app: FastifyInstance | undefined;
    let hub: LiveHub | undefined;
    let tokens: TokenStore | undefined;
    let reads: SessionReads | undefined;
    if (roles.includes("api")) {
      tokens = createTokenStore({ redis, prefix: config.REDIS_KEY_PREFIX, staticTokens: [bootstrapToken(config, logger)] });
      // Reads come from the read models; this process's projector wakes read-your-writes waiters.
      reads = createSessionReads({ db, projections: allProjections.map((projection) => projection.name), ...(projector ? { projector } : {}) });
      hub = createLiveHub({ store, logger });
      const liveHub = hub;
      parts.push({ name: "live hub", stop: () => liveHub.stop() });
      // Events retention trimmed from Redis are still replayed to a resuming client, from the archive.
      const archive = archiveQueries(db);
      const live = {
        hub,
        readArchive: (sessionId: string, afterVersion: number, limit: number) => archive.sessionEventsAfter(sessionId, afterVersion, limit),
        ...(options.live ? { tuning: options.live } : {}),
      };
      app = await buildApp({ config, logger, redis, db, store, version: options.version ?? packageVersion(), reads, commands, tokens, tokenAdmin: tokens, ...(history ? { history } : {}), live });
      await app.ready();
      const server = app;
      // Stops run in reverse: the api ends its streams before the hub goes.
      parts.push({ name: "api", stop: () => server.close() });
    }
    let runner: Runner | undefined;
    if (roles.includes("runner")) {
      runner = createRunner({ store, commands, redis, config, logger, env: options.env ?? {}, ...options.runner });
      await runner.start();
      const started = runner;
      parts.push({ name: "runner", stop: () => started.stop() });
    }
    if (roles.includes("projector") && history) {
      // The history index is a read model too: the projector role keeps it current.
      const watcher = createHistoryWatcher({ scanner: history, claudeConfigDir: config.CLAUDE_CONFIG_DIR, logger });
      await watcher.start();
      parts.push({ name: "history watcher", stop: () => watcher.stop() });
    }
    return { store, commands, tokens, reads, history, app, hub, runner, projector, stop: () => stopAll(parts, logger) };
  } catch (error) {
    await stopAll(parts, logger);
    throw error;
  }
};

export type Service = Awaited<ReturnType<typeof assemble>>;

const openMigrated = async (config: Readonly<Config>, logger: Logger, parts: Part[]): Promise<Database> => {
  const database = await openDatabase(config);
  parts.push({ name: "database", stop: database.close });
  logger.info({ database: database.kind }, database.kind === "pglite" ? "database: embedded PGlite" : "database: Postgres");
  await migrateToLatest(database.db, logger);
  return database.db;
};

/**
 * Runs the service: opens Redis (or the embedded server) and the database (or PGlite),
 * migrates, assembles the roles and listens. Returns one `stop()` for all of it.
 */
export const start = async (config: Readonly<Config>, options: { roles: readonly Role[]; env: Readonly<Record<string, string | undefined>>; logger: Logger }) => {
  const { logger, roles } = options;
  logger.info({ config: describeConfig(config), roles }, "starting claude-code-mobile backend");
  mkdirSync(config.DATA_DIR, { recursive: true });
  const parts: Part[] = [];
  try {
    const redis = await connectRedis(config, logger);
    parts.push({ name: "redis", stop: redis.close });
    const db = roles.includes("api") || roles.includes("projector") ? await openMigrated(config, logger, parts) : undefined;
    const service = await assemble(config, { redis: redis.redis, ...(db ? { db } : {}), logger }, { roles, env: options.env });
    parts.push({ name: "service", stop: service.stop });
    logger.info({ partitions: service.store.partitions }, "event store ready");
    await service.app?.listen({ port: config.PORT, host: config.HOST });
    return { service, stop: () => stopAll(parts, logger) };
  } catch (error) {
    await stopAll(parts, logger);
    throw error;
  }
};
