import { sessionQueries } from "../../projections/sessions/queries.ts";
import type { Database } from "../infra/database.ts";
import { createPositionWaiter, type CheckpointSource } from "./waitForPosition.ts";

export interface SessionReadsDeps {
  readonly db: Database;
  /** Projections a fresh read waits for (every projection the service runs). */
  readonly projections: readonly string[];
  readonly projector?: CheckpointSource;
  readonly pollMs?: number;
  /** Whether the read models are migrated yet; always when not given. */
  readonly ready?: () => boolean;
}

/**
 * The phone's reads: the sessions projection's queries (which return the API's views), whether
 * the read models are there yet, and read-your-writes waits.
 */
export const createSessionReads = (deps: SessionReadsDeps) => ({
  ...sessionQueries(deps.db),
  /** False until the read models are migrated (the database was away at start-up). */
  ready: deps.ready ?? (() => true),
  /** Read your writes: resolves true once every projection has passed `position`, false on timeout. */
  waitForPosition: createPositionWaiter(deps),
});

export type SessionReads = ReturnType<typeof createSessionReads>;
