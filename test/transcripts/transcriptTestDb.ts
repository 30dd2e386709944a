import { openMigratedSchema, postgresUrl } from "../support/postgres.ts";
import type { TranscriptDb } from "../../src/transcripts/transcriptDb.ts";

/** A Postgres schema of its own for one test file, migrated like production's. */
export const createTranscriptDb = async (): Promise<{ db: TranscriptDb; close: () => Promise<void> }> => {
  const { db, close } = await openMigratedSchema(postgresUrl, "hist", 6);
  return { db, close };
};
