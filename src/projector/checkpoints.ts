import { sql } from "kysely";
import type { Database } from "../infra/database.ts";

/**
 * Checkpoints: where each projection stands in each partition log. Written in the same
 * transaction as the rows they cover. Every writer of a (projection, partition) first takes a
 * transaction-scoped advisory lock, so batches of one partition never interleave, and a replay
 * swap can hold the whole projection still for an instant.
 */
export const lockPartition = async (trx: Database, projection: string, partition: number) => {
  await sql`select pg_advisory_xact_lock(hashtext(${projection}), ${partition}::int)`.execute(trx);
};

/** Locks several partitions in one statement, in ascending order (as a replay swap does), so two lockers never deadlock. */
export const lockPartitions = async (trx: Database, projection: string, partitions: readonly number[]) => {
  const ascending = [...partitions].sort((a, b) => a - b);
  await sql`select pg_advisory_xact_lock(hashtext(${projection}), p) from unnest(${ascending}::int[]) as p`.execute(trx);
};

/** The checkpoints of several partitions in one query (null where there is none yet). */
export const readCheckpoints = async (trx: Database, projection: string, partitions: readonly number[]): Promise<Map<number, string | null>> => {
  const rows = await trx.selectFrom("projection_checkpoints").select(["partition", "entry_id"])
    .where("projection", "=", projection).where("partition", "in", [...partitions]).execute();
  const found = new Map(rows.map((row) => [row.partition, row.entry_id]));
  return new Map(partitions.map((partition) => [partition, found.get(partition) ?? null]));
};

export const readCheckpoint = async (trx: Database, projection: string, partition: number): Promise<string | null> => {
  const row = await trx.selectFrom("projection_checkpoints").select("entry_id")
    .where("projection", "=", projection).where("partition", "=", partition).executeTakeFirst();
  return row?.entry_id ?? null;
};

export const writeCheckpoint = async (trx: Database, projection: string, partition: number, entryId: string) => {
  await trx.insertInto("projection_checkpoints")
    .values({ projection, partition, entry_id: entryId, updated_at: sql`now()` })
    .onConflict((conflict) => conflict.columns(["projection", "partition"]).doUpdateSet({ entry_id: entryId, updated_at: sql`now()` }))
    .execute();
};

/** Moves several partitions' checkpoints in one statement. */
export const writeCheckpoints = async (trx: Database, projection: string, ends: readonly { partition: number; entryId: string }[]) => {
  if (ends.length === 0) return;
  await trx.insertInto("projection_checkpoints")
    .values(ends.map(({ partition, entryId }) => ({ projection, partition, entry_id: entryId, updated_at: sql`now()` })))
    .onConflict((conflict) => conflict.columns(["projection", "partition"]).doUpdateSet({ entry_id: sql.ref("excluded.entry_id"), updated_at: sql`now()` }))
    .execute();
};

export interface CheckpointRow {
  readonly projection: string;
  readonly partition: number;
  readonly entryId: string;
  readonly updatedAt: string;
}

export const listCheckpoints = async (db: Database, projections: readonly string[]): Promise<CheckpointRow[]> => {
  if (projections.length === 0) return [];
  const rows = await db.selectFrom("projection_checkpoints").selectAll()
    .where("projection", "in", [...projections]).orderBy("projection").orderBy("partition").execute();
  return rows.map((row) => ({
    projection: row.projection,
    partition: row.partition,
    entryId: row.entry_id,
    updatedAt: row.updated_at,
  }));
};

/** The consumer group a projection reads the partition logs through. */
export const projectionGroup = (name: string): string => `projection:${name}`;
