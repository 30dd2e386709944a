import { sql } from "kysely";
import type { ChainLink, Envelope } from "../events/envelope.ts";
import type { ArchiveLikeProjection, ReadModelDb } from "./projection.ts";

/** The archive's columns and their Postgres types, in insert order. */
const COLUMNS = [
  ["partition", "int4"], ["entry_ms", "int8"], ["entry_seq", "int8"], ["entry_id", "text"], ["event_id", "text"],
  ["session_id", "text"], ["version", "int4"], ["type", "text"], ["schema_version", "int4"], ["occurred_at", "text"],
  ["actor", "text"], ["data", "json"], ["meta", "json"], ["prev_hash", "text"], ["hash", "text"],
] as const;

type ArchiveColumn = (typeof COLUMNS)[number][0];

const entryParts = (entryId: string): [string, string] => {
  const [ms = "0", seq = "0"] = entryId.split("-");
  return [ms, seq];
};

/**
 * The event archive: every event exactly as stored, including types this build cannot decode
 * (an archive that dropped them would not be one). One insert per batch, whatever its size:
 * each column travels as one array parameter (`unnest`), so Postgres parses and plans one short
 * statement. A redelivered entry hits the primary key and is ignored.
 */
export const archiveProjection: ArchiveLikeProjection = {
  name: "archive",
  handles: "all",
  tables: ["event_archive"],
  async handle(events, db) {
    const rows = events.map(({ partition, entryId, envelope }): Record<ArchiveColumn, string | number> => {
      const [entryMs, entrySeq] = entryParts(entryId);
      return {
        partition, entry_ms: entryMs, entry_seq: entrySeq, entry_id: entryId, event_id: envelope.eventId,
        session_id: envelope.sessionId, version: envelope.version, type: envelope.type, schema_version: envelope.schemaVersion,
        occurred_at: envelope.occurredAt, actor: envelope.meta.actor, data: JSON.stringify(envelope.data ?? null),
        meta: JSON.stringify(envelope.meta), prev_hash: envelope.prevHash, hash: envelope.hash,
      };
    });
    if (rows.length === 0) return;
    const arrays = COLUMNS.map(([column, type]) => sql`${rows.map((row) => row[column])}::${sql.raw(type)}[]`);
    await db.insertInto("event_archive").columns(COLUMNS.map(([column]) => column))
      .expression(sql<never>`select * from unnest(${sql.join(arrays)})`)
      .onConflict((conflict) => conflict.doNothing()).execute();
  },
};

/** One archived event: the envelope rebuilt from its row, and the row's columns the hash does not cover. */
export interface ArchivedEvent {
  readonly partition: number;
  /** The `entry_id` column: the position auditors see and replay resumes from. */
  readonly entryId: string;
  readonly envelope: Envelope;
  /** The `actor` column, a copy of `meta.actor` that audit queries filter on. */
  readonly actor: string;
  /** The position columns the archive is ordered by. */
  readonly entryMs: bigint;
  readonly entrySeq: bigint;
}

/** A row of `event_archive` (migrations 0003, 0006). int8 arrives as text from pg. */
export interface ArchiveRow {
  partition: number; entry_ms: string | bigint; entry_seq: string | bigint; entry_id: string; event_id: string; type: string;
  schema_version: number; session_id: string; version: number; occurred_at: string; actor: string; data: unknown;
  meta: Envelope["meta"]; prev_hash: string; hash: string;
}

/** The envelope's keys in sorted order, so hashing it takes canonicalJson's fast path. */
const envelopeOfRow = (row: ArchiveRow): Envelope => ({
  data: row.data, eventId: row.event_id, meta: row.meta, occurredAt: row.occurred_at, prevHash: row.prev_hash,
  schemaVersion: row.schema_version, sessionId: row.session_id, type: row.type, version: row.version, hash: row.hash,
});

const toArchived = (row: ArchiveRow): ArchivedEvent => ({
  partition: row.partition, entryId: row.entry_id, envelope: envelopeOfRow(row), actor: row.actor,
  entryMs: BigInt(row.entry_ms), entrySeq: BigInt(row.entry_seq),
});

/** Queries over the archive: what auditors and replay read. */
export const archiveQueries = (db: ReadModelDb) => ({
  /** One session's events in version order: verify the hash chain over these. */
  async sessionHistory(sessionId: string): Promise<ArchivedEvent[]> {
    const rows = await db.selectFrom("event_archive").selectAll().where("session_id", "=", sessionId).orderBy("version").execute();
    return (rows as ArchiveRow[]).map(toArchived);
  },
  /** Up to `limit` of one session's envelopes after `afterVersion`, in version order: the live stream's fallback once Redis trimmed them. */
  async sessionEventsAfter(sessionId: string, afterVersion: number, limit: number): Promise<Envelope[]> {
    const rows = await db.selectFrom("event_archive").selectAll()
      .where("session_id", "=", sessionId).where("version", ">", afterVersion)
      .orderBy("version").limit(limit).execute();
    return (rows as ArchiveRow[]).map(envelopeOfRow);
  },
  /** A partition's events after `afterEntryId` (exclusive; null = from the start), in log order. */
  async readPartition(partition: number, afterEntryId: string | null, limit: number): Promise<ArchivedEvent[]> {
    const [ms, seq] = entryParts(afterEntryId ?? "0-0");
    let query = db.selectFrom("event_archive").selectAll().where("partition", "=", partition);
    if (afterEntryId !== null) query = query.where(sql<boolean>`(entry_ms, entry_seq) > (${ms}::bigint, ${seq}::bigint)`);
    const rows = await query.orderBy("entry_ms").orderBy("entry_seq").limit(limit).execute();
    return (rows as ArchiveRow[]).map(toArchived);
  },
  /**
   * Where each session's chain stands at `upToEntryId` in a partition: the version and hash of
   * its last event at or before it, in log order. A resumed rebuild goes on verifying from there.
   */
  async chainLinksUpTo(partition: number, upToEntryId: string): Promise<{ sessionId: string; link: ChainLink }[]> {
    const [ms, seq] = entryParts(upToEntryId);
    const rows = await db.selectFrom("event_archive").distinctOn("session_id").select(["session_id", "version", "hash"])
      .where("partition", "=", partition).where(sql<boolean>`(entry_ms, entry_seq) <= (${ms}::bigint, ${seq}::bigint)`)
      .orderBy("session_id").orderBy("entry_ms", "desc").orderBy("entry_seq", "desc").execute();
    return (rows as { session_id: string; version: number; hash: string }[]).map((row) => ({ sessionId: row.session_id, link: { version: row.version, hash: row.hash } }));
  },
  /** An event archived under a partition that does not exist (a reader of the partitions would never see it). */
  async firstOutside(partitions: number): Promise<ArchivedEvent | null> {
    const row = await db.selectFrom("event_archive").selectAll().where((eb) => eb.or([eb("partition", "<", 0), eb("partition", ">=", partitions)]))
      .orderBy("session_id").orderBy("version").limit(1).executeTakeFirst();
    return row ? toArchived(row as ArchiveRow) : null;
  },
  async count(partition?: number): Promise<number> {
    let query = db.selectFrom("event_archive").select((eb) => eb.fn.countAll<string>().as("n"));
    if (partition !== undefined) query = query.where("partition", "=", partition);
    return Number((await query.executeTakeFirst())?.n ?? 0);
  },
});
