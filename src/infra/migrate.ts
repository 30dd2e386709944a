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
