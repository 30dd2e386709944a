import type { ColumnType } from "kysely";
import type { EventMeta } from "../events/envelope.ts";
import type { SessionTables } from "./sessions/tables.ts";

/**
 * Every table of the service's database, for kysely: what projections write and the API reads.
 * Declared once here (the migrations, frozen in time, stay untyped). int8 arrives as text from
 * pg. The transcript index (src/history) keeps its own queries.
 */
export interface CheckpointsTable {
  projection: string;
  partition: number;
  entry_id: string;
  updated_at: string;
}

/** Every event exactly as stored, keyed by its log position (migrations 0003, 0006). */
export interface ArchiveTable {
  partition: number;
  entry_ms: ColumnType<string, string, never>;
  entry_seq: ColumnType<string, string, never>;
  entry_id: string;
  event_id: string;
  type: string;
  schema_version: number;
  session_id: string;
  version: number;
  occurred_at: string;
  actor: string;
  data: ColumnType<unknown, string, never>;
  meta: ColumnType<EventMeta, string, never>;
  prev_hash: string;
  hash: string;
}

/** Which Redis deployment this database was last fed by (migration 0008): not a read model, but in the same database. */
export interface DeploymentsTable {
  key_prefix: string;
  marker: string;
  created_at: string;
}

export interface ReadModels extends SessionTables {
  projection_checkpoints: CheckpointsTable;
  event_archive: ArchiveTable;
  deployments: DeploymentsTable;
}
