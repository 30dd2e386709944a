import type { Logger } from "pino";
import { createTokenStore } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import { createEventStore } from "../eventStore/eventStore.ts";
import { lockDataDir, usesEmbeddedStores } from "../infra/dataDirLock.ts";
import { openDatabase } from "../infra/database.ts";
import { migrateToLatest } from "../infra/migrate.ts";
import { connectRedis } from "../infra/redis.ts";
import { needsDatabase, runTool, type ToolName } from "./tools.ts";
import type { RemoteIo } from "./remoteTool.ts";

type Closer = () => unknown;

/** Runs `closers` in reverse, all of them, whatever fails. */
const closeAll = async (closers: Closer[]) => {
  for (const close of closers.reverse()) await Promise.resolve().then(close).catch(() => undefined);
};

/**
 * Runs a tool in this process over stores it opens itself, when no service owns the data
 * folder. An embedded store (redis-server on the folder's AOF, PGlite) is opened under the
 * folder's lock, so a `ccm start` meanwhile refuses instead of opening it twice. A tool that
 * needs no database opens none.
 */
export type LocalIo = RemoteIo & { readonly logger: Logger };

export const runLocalTool = async (config: Readonly<Config>, name: ToolName, args: readonly string[], io: LocalIo) => {
  const database = needsDatabase(name);
  const embedded = usesEmbeddedStores(config, database);
  const closers: Closer[] = [];
  try {
    if (embedded) {
      const lock = lockDataDir(config.DATA_DIR, name);
      closers.push(lock.release);
    }
    const redis = await connectRedis(config, io.logger);
    closers.push(redis.close);
    const store = await createEventStore({ redis: redis.redis, prefix: config.REDIS_KEY_PREFIX, partitions: config.PARTITIONS, logger: io.logger });
    const db = database ? await openDatabase(config, io.logger) : null;
    if (db) {
      closers.push(db.close);
      await migrateToLatest(db.db, io.logger);
    }
    const tokens = createTokenStore({ redis: redis.redis, prefix: config.REDIS_KEY_PREFIX });
    return await runTool(name, args, { config, store, tokens, db: db?.db ?? null, logger: io.logger, out: io.out, err: io.err, signal: io.signal, serviceRunning: false });
  } finally {
    await closeAll(closers);
  }
};
