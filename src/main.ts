import { existsSync, mkdirSync, readFileSync } from "node:fs";
import type { RedisClient } from "./infra/redis.ts";
import type { Logger } from "pino";
import { describeConfig, type Config } from "./config.ts";
import { bootstrapToken } from "./auth/bootstrapToken.ts";
import { createTokenStore, generateToken, type StaticToken } from "./auth/tokens.ts";
import { createEventStore, type EventStore } from "./eventStore/eventStore.ts";
import { startRetention } from "./eventStore/retention.ts";
import { createSessionCommandHandler, type SessionCommandHandler } from "./eventStore/sessionCommandHandler.ts";
import { createTranscriptService, type TranscriptService } from "./transcripts/transcriptService.ts";
import { createTranscriptWatcher } from "./transcripts/watcher.ts";
import { allProjections } from "../projections/index.ts";
import { archiveQueries } from "../projections/archive.ts";
import { createProjector, projectionGroup, type Projector, type ProjectorOptions } from "./projector/projector.ts";
import { createSessionReads } from "./readModels/sessionReads.ts";
import { listCheckpoints } from "./projector/checkpoints.ts";
import { createLiveHub } from "./live/hub.ts";
import { createWorkingStates } from "./live/workingState.ts";
import { createMachineRegistry, type MachineRegistry } from "./machines/machineRegistry.ts";
import { createRunner, type RunnerDeps } from "./runner/runner.ts";
import { buildApp } from "./http/app.ts";
import type { LiveTuning } from "./http/liveRoutes.ts";
import { openDatabase, type Database } from "./infra/database.ts";
import { lockDataDir, usesEmbeddedStores } from "./infra/dataDirLock.ts";
import { createDeploymentWitness } from "./infra/deploymentWitness.ts";
import { createHealthBoard, type HealthBoard } from "./infra/health.ts";
import { watchStore } from "./infra/storeWatch.ts";
import { migrated, migrateInBackground, type Migrations } from "./infra/migrate.ts";
import { isDatabaseUnavailable } from "./infra/outages.ts";
import { connectRedis } from "./infra/redis.ts";
import { countAppends, createMetrics, serveMetrics, type Metrics } from "./infra/metrics.ts";
import { readLag } from "./projector/lag.ts";
import { createPush, type NotifierTuning, type Push } from "./push/push.ts";

export type Role = "api" | "runner" | "projector" | "notifier";
export const allRoles: readonly Role[] = ["api", "runner", "projector", "notifier"];

/** The roles that read or write Postgres (a runner needs only Redis). */
const needsDatabaseFor = (roles: readonly Role[]) => roles.some((role) => role !== "runner");

/** The version in package.json, found from the sources or a compiled copy (`dist/`, `.build/<fingerprint>/`). */
export const packageVersion = (): string => {
  for (const relative of ["../package.json", "../../package.json", "../../../package.json"]) {
    const file = new URL(relative, import.meta.url);
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  }
  return "unknown";
};

/** The clients a service is assembled over: production opens them in `start`, tests pass their own. */
export interface Clients {
  /** Every role's commands go through it (blocking readers duplicate it). */
  readonly redis: RedisClient;
  /** Needed by the api and projector roles; a runner needs only Redis. */
  readonly db?: Database;
  /** Whether the database is migrated yet (start() migrates in the background); done when not given. */
  readonly migrations?: Migrations;
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
  /** Notifier knobs a test or benchmark may set (polling, reclaiming a dead notifier's entries). */
  readonly notifier?: NotifierTuning;
  /** Live stream knobs (buffer limits, heartbeats, WebSocket timings). */
  readonly live?: LiveTuning;
  readonly version?: string;
  /** The service's metrics registry; one is made when not given. */
  readonly metrics?: Metrics;
  /** Tokens accepted besides the bootstrap one (the ccm tools' token of this run). */
  readonly localTokens?: readonly StaticToken[];
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

/** What the role builders share while a service is assembled. */
interface Assembly {
  readonly config: Readonly<Config>;
  readonly clients: Clients;
  readonly options: AssembleOptions;
  readonly parts: Part[];
  readonly health: HealthBoard;
  readonly migrations: Migrations;
  readonly metrics: Metrics;
  readonly machines: MachineRegistry;
}

/** Starts `part` now if the read models are migrated, else once they are (unless stopped first). */
const whenMigrated = async (assembly: Assembly, name: string, start: () => Promise<void>, stop: () => Promise<void>) => {
  if (assembly.migrations.ready()) {
    await start();
    assembly.parts.push({ name, stop });
    return;
  }
  let stopped = false;
  const started = assembly.migrations.finished.then(() => (stopped ? undefined : start()));
  started.catch((error: unknown) => assembly.clients.logger.error({ err: error, part: name }, "could not start"));
  assembly.parts.push({ name, stop: async () => { stopped = true; await started.catch(() => undefined); await stop(); } });
};

const projectorRole = async (assembly: Assembly, store: EventStore, db: Database) => {
  const { clients, parts, health } = assembly;
  const projector = createProjector({
    store, db, projections: allProjections, logger: clients.logger, batchWindowMs: assembly.config.PROJECTOR_BATCH_WINDOW_MS, ...assembly.options.projector,
    onOutage: (problem) => health.report("projections", problem),
  });
  await whenMigrated(assembly, "projector", () => projector.start(), () => projector.stop());
  const archivedUpTo = async (partition: number) =>
    (await listCheckpoints(db, ["archive"])).find((row) => row.partition === partition)?.entryId ?? null;
  const retention = startRetention(() => store.trimPartitionLogs([projectionGroup("archive")], archivedUpTo), clients.logger);
  parts.push({ name: "retention", stop: async () => retention.stop() });
  return projector;
};

const apiRole = async (assembly: Assembly, store: EventStore, commands: SessionCommandHandler, db: Database, extra: { projector: Projector | undefined; history: TranscriptService | undefined; push: Push | undefined }) => {
  const { config, clients, options, parts } = assembly;
  const { redis, logger } = clients;
  const tokens = createTokenStore({ redis, prefix: config.REDIS_KEY_PREFIX, staticTokens: [bootstrapToken(config, logger), ...(options.localTokens ?? [])] });
  // Reads come from the read models; this process's projector wakes read-your-writes waiters.
  const reads = createSessionReads({ db, projections: allProjections.map((projection) => projection.name), ready: assembly.migrations.ready, ...(extra.projector ? { projector: extra.projector } : {}) });
  const hub = createLiveHub({ store, logger });
  parts.push({ name: "live hub", stop: () => hub.stop() });
  // Events retention trimmed from Redis are still replayed to a resuming client, from the archive.
  const archive = archiveQueries(db);
  const live = {
    hub,
    readArchive: (sessionId: string, afterVersion: number, limit: number) => archive.sessionEventsAfter(sessionId, afterVersion, limit),
    ...(options.live ? { tuning: options.live } : {}),
  };
  const app = await buildApp({
    config, logger, redis, db, store, version: options.version ?? packageVersion(), reads, commands, machines: assembly.machines, tokens, tokenAdmin: tokens,
    working: createWorkingStates(redis, config.REDIS_KEY_PREFIX),
    health: assembly.health, metrics: assembly.metrics, ...(extra.history ? { history: extra.history } : {}), live,
    ...(extra.push ? { push: extra.push } : {}),
  });
  await app.ready();
  // Stops run in reverse: the api ends its streams before the hub goes.
  parts.push({ name: "api", stop: () => app.close() });
  return { app, hub, tokens, reads };
};

const runnerRole = async (assembly: Assembly, store: EventStore, commands: SessionCommandHandler) => {
  const { config, clients, options } = assembly;
  const { jobs, jobDuration } = assembly.metrics;
  const onJobEnd = (outcome: string, seconds: number) => {
    jobs.inc({ outcome });
    jobDuration.observe({ outcome }, seconds);
  };
  const runner = createRunner({ store, commands, redis: clients.redis, machines: assembly.machines, config, logger: clients.logger, env: options.env ?? {}, onJobEnd, ...options.runner });
  await runner.start();
  assembly.parts.push({ name: "runner", stop: () => runner.stop() });
  return runner;
};

/** Pushes and webhooks for permission requests and job ends (its own consumer group). */
const notifierRole = async (assembly: Assembly, store: EventStore, push: Push) => {
  const notifier = push.notifier(store, assembly.metrics, assembly.options.notifier);
  await whenMigrated(assembly, "notifier", () => notifier.start(), () => notifier.stop());
  return notifier;
};

/**
 * The composition root: wires the chosen roles over the given clients and starts their
 * background work (projector, runner, history watcher, retention) without listening. One
 * event store and ONE command handler per process: the api, the runner and the live stream
 * share its fold cache and its per-session order. Work that needs the read models starts once
 * they are migrated (`clients.migrations`; already done when not given). `stop()` ends the
 * roles in reverse order; the clients stay the caller's.
 */
export const assemble = async (config: Readonly<Config>, clients: Clients, options: AssembleOptions) => {
  const { roles } = options;
  const metrics = options.metrics ?? createMetrics();
  const machines = createMachineRegistry({ redis: clients.redis, prefix: config.REDIS_KEY_PREFIX });
  const assembly: Assembly = { config, clients, options, parts: [], health: createHealthBoard(), migrations: clients.migrations ?? migrated(), metrics, machines };
  const needsDatabase = needsDatabaseFor(roles);
  if (needsDatabase && clients.db === undefined) throw new Error("the api, projector and notifier roles need a database");
  const db = clients.db as Database;
  try {
    const store = countAppends(await createEventStore({ redis: clients.redis, prefix: config.REDIS_KEY_PREFIX, partitions: config.PARTITIONS, logger: clients.logger }), metrics);
    if (clients.db) metrics.readProjectionLagFrom(() => readLag({ db, store, projections: allProjections.map((projection) => projection.name) }));
    const witness = clients.db ? createDeploymentWitness(clients.db, config.REDIS_KEY_PREFIX) : null;
    const watch = await watchStore({ store, redis: clients.redis, mode: config.REDIS_DURABILITY, witness, logger: clients.logger, health: assembly.health });
    assembly.parts.push({ name: "store watch", stop: async () => watch.stop() });
    const commands = createSessionCommandHandler(store, { deadlineMs: config.COMMAND_DEADLINE_MS, cacheSize: config.COMMAND_CACHE_SESSIONS });
    const history = roles.includes("api") || roles.includes("projector") ? createTranscriptService({ db, claudeConfigDir: config.CLAUDE_CONFIG_DIR, logger: clients.logger }) : undefined;
    const projector = roles.includes("projector") ? await projectorRole(assembly, store, db) : undefined;
    const push = roles.includes("api") || roles.includes("notifier") ? await createPush({ config, redis: clients.redis, db, logger: clients.logger }) : undefined;
    const api = roles.includes("api") ? await apiRole(assembly, store, commands, db, { projector, history, push }) : undefined;
    const notifier = push && roles.includes("notifier") ? await notifierRole(assembly, store, push) : undefined;
    const runner = roles.includes("runner") ? await runnerRole(assembly, store, commands) : undefined;
    if (roles.includes("projector") && history) {
      // The transcript index is a read model too: the projector role keeps it current.
      const watcher = createTranscriptWatcher({ scanner: history, claudeConfigDir: config.CLAUDE_CONFIG_DIR, logger: clients.logger });
      await whenMigrated(assembly, "history watcher", () => watcher.start(), () => watcher.stop());
    }
    return { store, commands, history, projector, runner, notifier, health: assembly.health, watch, metrics, ...api, stop: () => stopAll(assembly.parts, clients.logger) };
  } catch (error) {
    await stopAll(assembly.parts, clients.logger);
    throw error;
  }
};

export type Service = Awaited<ReturnType<typeof assemble>>;

const openDatabaseOf = async (config: Readonly<Config>, logger: Logger, parts: Part[]) => {
  const database = await openDatabase(config, logger);
  parts.push({ name: "database", stop: database.close });
  logger.info({ database: database.kind }, database.kind === "pglite" ? "database: embedded PGlite" : "database: Postgres");
  const migrations = migrateInBackground(database.db, logger, isDatabaseUnavailable);
  parts.push({ name: "migrations", stop: async () => migrations.stop() });
  return { db: database.db, migrations };
};

/** The name the ccm tools act under when they run inside the service (reserved: no token may take it). */
export const TOOL_ACTOR = "ccm";

/** Where the tools on this machine reach a service listening on HOST:PORT. */
const localUrl = (host: string, port: number) => {
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
};

/**
 * Runs the service: takes the data folder (when it keeps embedded stores there), opens Redis
 * (or the embedded server) and the database (or PGlite), assembles the roles and listens. The
 * database may be away: migrations run in the background and commands are taken meanwhile.
 * `stop()` ends everything in reverse order: the embedded Redis after everything that writes
 * to it, the lock last. `hurry()` cuts the runner's shutdown grace short (a second Ctrl-C).
 */
export const start = async (config: Readonly<Config>, options: { roles: readonly Role[]; env: Readonly<Record<string, string | undefined>>; logger: Logger }) => {
  const { logger, roles } = options;
  logger.info({ config: describeConfig(config), roles }, "starting claude-code-mobile backend");
  mkdirSync(config.DATA_DIR, { recursive: true });
  const parts: Part[] = [];
  const needsDatabase = needsDatabaseFor(roles);
  const lock = usesEmbeddedStores(config, needsDatabase) ? lockDataDir(config.DATA_DIR, "start", { api: roles.includes("api") }) : null;
  if (lock) parts.push({ name: "data folder lock", stop: async () => lock.release() });
  try {
    const redis = await connectRedis(config, logger);
    parts.push({ name: "redis", stop: redis.close });
    // The embedded server's URL (no secret in it): tools that need only Redis use it.
    if (!config.REDIS_URL && redis.url !== undefined) lock?.update({ redisUrl: redis.url });
    const database = needsDatabase ? await openDatabaseOf(config, logger, parts) : undefined;
    // The tools on this machine reach the folder through the service, with a token of this run.
    const toolToken = lock ? generateToken() : undefined;
    const localTokens = toolToken ? [{ name: TOOL_ACTOR, token: toolToken, scope: "admin" as const }] : [];
    const service = await assemble(config, { redis: redis.redis, ...database, logger }, { roles, env: options.env, localTokens });
    parts.push({ name: "service", stop: service.stop });
    logger.info({ partitions: service.store.partitions }, "event store ready");
    await service.app?.listen({ port: config.PORT, host: config.HOST });
    const address = service.app?.server.address();
    const url = typeof address === "object" && address ? localUrl(config.HOST, address.port) : undefined;
    if (config.METRICS_PORT !== undefined) {
      const scrape = await serveMetrics(service.metrics, config.METRICS_PORT);
      parts.push({ name: "metrics listener", stop: scrape.close });
      logger.info({ url: `http://127.0.0.1:${config.METRICS_PORT}/metrics` }, "metrics served without a token on loopback (METRICS_PORT)");
    }
    if (url && toolToken) lock?.update({ url, toolToken });
    return { service, url, stop: () => stopAll(parts, logger), hurry: () => service.runner?.hurry() };
  } catch (error) {
    await stopAll(parts, logger);
    throw error;
  }
};
