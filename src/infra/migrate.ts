import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Migrator, type Migration, type MigrationProvider } from "kysely";
import type { Logger } from "pino";
import type { Database } from "./database.ts";

const migrationFolder = fileURLToPath(new URL("../../migrations", import.meta.url));
// Sources run through tsx or vitest; `npm start` runs the compiled `.js` beside them.
const extension = import.meta.url.endsWith(".js") ? ".js" : ".ts";

/**
 * Loads `migrations/*.ts` by name order. Kysely's FileMigrationProvider imports from inside
 * node_modules, where neither tsx's loader nor vitest's transform sees `.ts` files.
 */
const folderProvider: MigrationProvider = {
  async getMigrations() {
    const files = (await readdir(migrationFolder)).filter((file) => /^\d{4}_/.test(file) && file.endsWith(extension)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[file.slice(0, -extension.length)] = (await import(pathToFileURL(join(migrationFolder, file)).href)) as Migration;
    }
    return migrations;
  },
};

/** Runs every migration in `migrations/` that has not run yet. Throws on the first failure. */
export const migrateToLatest = async (db: Database, logger: Logger, schema = "public") => {
  // Name the schema of the bookkeeping tables: without it kysely finds another schema's
  // kysely_migration_lock (tests create many) and assumes it is ours.
  const migrator = new Migrator({ db, provider: folderProvider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    logger.info({ migration: result.migrationName, status: result.status }, "migration");
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results?.length ?? 0;
};

export interface Migrations {
  /** True once every migration has run: the read models may be queried. */
  readonly ready: () => boolean;
  /** Resolves once they have run; rejects if a migration itself fails (not an outage). */
  readonly finished: Promise<void>;
  readonly stop: () => void;
}

/** Migrations already run (tests, tools that migrated first). */
export const migrated = (): Migrations => ({ ready: () => true, finished: Promise.resolve(), stop: () => undefined });

/**
 * Runs the migrations in the background, retrying while Postgres is away, so a service can
 * start (and take commands, which need only Redis) before its database is reachable.
 */
export const migrateInBackground = (db: Database, logger: Logger, isOutage: (error: unknown) => boolean): Migrations => {
  let done = false;
  let stopped = false;
  let wake = () => {};
  const finished = (async () => {
    for (let delay = 500, warned = false; !stopped; delay = Math.min(delay * 2, 30_000)) {
      try {
        await migrateToLatest(db, logger);
        done = true;
        if (warned) logger.info("postgres: reachable again; migrations done, read models available");
        return;
      } catch (error) {
        if (!isOutage(error)) throw error;
        if (!warned) logger.warn({ err: (error as Error).message }, "postgres: unreachable; commands are still taken, reads answer 503 until it is back");
        warned = true;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
  })();
  finished.catch((error: unknown) => logger.fatal({ err: error }, "a migration failed: the read models stay unavailable"));
  return { ready: () => done, finished, stop: () => { stopped = true; wake(); } };
};
