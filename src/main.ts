import { existsSync, readFileSync } from "node:fs";
import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import { describeConfig, type Config } from "./config.ts";
import { sessionDecider } from "../commands/session/index.ts";
import { bootstrapToken } from "./auth/bootstrapToken.ts";
import { createTokenStore } from "./auth/tokens.ts";
import { createEventStore } from "./eventStore/eventStore.ts";
import { createCachedCommandHandler } from "./eventStore/cachedCommandHandler.ts";
import { createHistoryService } from "./history/historyService.ts";
import { createHistoryWatcher } from "./history/watcher.ts";
import { allProjections } from "../projections/index.ts";
import { archiveQueries } from "../projections/archive.ts";
import { createProjector, projectionGroup, type Projector } from "./projector/projector.ts";
import { createSessionReads } from "./readModels/sessionReads.ts";
import { startRetention } from "./eventStore/retention.ts";
import { listCheckpoints } from "./projector/checkpoints.ts";
import { createLiveHub } from "./live/hub.ts";
import type { ReadArchive } from "./live/history.ts";
import { createRunner } from "./runner/runner.ts";
import { buildApp } from "./http/app.ts";
import { openDatabase } from "./infra/database.ts";
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

interface Running {
  readonly name: string;
  readonly stop: () => Promise<void>;
}

/**
 * The composition root: reads nothing but its arguments, builds clients and the chosen
 * roles, and returns one `stop()` that shuts them down in reverse order.
 */
export const startService = async (config: Readonly<Config>, roles: readonly Role[], logger: Logger) => {
  logger.info({ config: describeConfig(config), roles }, "starting claude-code-mobile backend");
  mkdirSync(config.DATA_DIR, { recursive: true });
  const running: Running[] = [];
  const stop = async () => {
    for (const part of running.reverse()) {
      try {
        await part.stop();
      } catch (error) {
        logger.error({ err: error, part: part.name }, "error while stopping");
      }
    }
  };
  try {
    const redis = await connectRedis(config, logger);
    running.push({ name: "redis", stop: redis.close });
    const database = await openDatabase(config);
    running.push({ name: "database", stop: database.close });
    logger.info({ database: database.kind }, database.kind === "pglite" ? "database: embedded PGlite" : "database: Postgres");
    await migrateToLatest(database.db, logger);
    const store = await createEventStore({ redis: redis.redis, prefix: config.REDIS_KEY_PREFIX, partitions: config.PARTITIONS });
    logger.info({ partitions: store.partitions }, "event store ready");
    let projector: Projector | undefined;
    if (roles.includes("projector")) {
      projector = createProjector({ store, db: database.db, projections: allProjections, logger });
      await projector.start();
      running.push({ name: "projector", stop: () => projector?.stop() ?? Promise.resolve() });
      const archivedUpTo = async (partition: number) =>
        (await listCheckpoints(database.db, ["archive"])).find((row) => row.partition === partition)?.entryId ?? null;
      const retention = startRetention(store, [projectionGroup("archive")], archivedUpTo, logger);
      running.push({ name: "retention", stop: async () => retention.stop() });
    }
    if (roles.includes("api")) {
      // Requests run concurrently: auto-pipelining batches their Redis commands into few writes.
      // A connection of its own, so no blocking read of another role can hold it up.
      const apiRedis = redis.redis.duplicate({ enableAutoPipelining: true });
      running.push({ name: "api redis", stop: async () => apiRedis.disconnect() });
      const apiStore = await createEventStore({ redis: apiRedis, prefix: config.REDIS_KEY_PREFIX, partitions: config.PARTITIONS });
      const tokens = createTokenStore({ redis: apiRedis, prefix: config.REDIS_KEY_PREFIX, staticTokens: [bootstrapToken(config, logger)] });
      // Reads come from the read models; this process's projector wakes read-your-writes waiters.
      const reads = createSessionReads({ db: database.db, projections: allProjections.map((projection) => projection.name), ...(projector ? { projector } : {}) });
      const commands = createCachedCommandHandler(apiStore, sessionDecider);
      const history = createHistoryService({ db: database.db, claudeConfigDir: config.CLAUDE_CONFIG_DIR, logger });
      // Stops run in reverse: the api ends its streams before the hub goes.
      const hub = createLiveHub({ store, redis: redis.redis, logger });
      running.push({ name: "live hub", stop: () => hub.stop() });
      // Events retention trimmed from Redis are still replayed to a resuming client, from the archive.
      const archive = archiveQueries(database.db);
      const readArchive: ReadArchive = (sessionId, afterVersion, limit) => archive.sessionEventsAfter(sessionId, afterVersion, limit);
      const live = { hub, readArchive };
      const app = await buildApp({ config, logger, redis: apiRedis, db: database.db, store: apiStore, version: packageVersion(), reads, commands, tokens, tokenAdmin: tokens, history, live });
      await app.listen({ port: config.PORT, host: config.HOST });
      running.push({ name: "api", stop: () => app.close() });
    }
    if (roles.includes("runner")) {
      const runner = createRunner({ store, redis: redis.redis, config, logger, env: process.env });
      await runner.start();
      running.push({ name: "runner", stop: () => runner.stop() });
    }
    if (roles.includes("projector")) {
      // The history index is a read model too: the projector role keeps it current.
      const history = createHistoryService({ db: database.db, claudeConfigDir: config.CLAUDE_CONFIG_DIR, logger });
      const watcher = createHistoryWatcher({ scanner: history, claudeConfigDir: config.CLAUDE_CONFIG_DIR, logger });
      await watcher.start();
      running.push({ name: "history watcher", stop: () => watcher.stop() });
    }
    return { stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
