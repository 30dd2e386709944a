import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FileMigrationProvider, Migrator } from "kysely";
import type { Logger } from "pino";
import type { Database } from "./database.ts";

const migrationFolder = fileURLToPath(new URL("../../migrations", import.meta.url));

/** Runs every migration in `migrations/` that has not run yet. Throws on the first failure. */
export const migrateToLatest = async (db: Database, logger: Logger) => {
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder }) });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    logger.info({ migration: result.migrationName, status: result.status }, "migration");
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results?.length ?? 0;
};
