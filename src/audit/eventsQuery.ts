import { sql } from "kysely";
import type { Envelope } from "../../events/envelope.ts";
import type { ArchiveRow } from "../../projections/archive.ts";
import { formatPosition, parsePosition } from "../eventStore/position.ts";
import { AppError } from "../errors.ts";
import type { Database } from "../infra/database.ts";

const invalid = (message: string) => AppError.of("validation_failed", message);

/** One archived event as auditors see it: the envelope as stored, with its log position. */
export interface AuditEvent extends Envelope {
  readonly position: string;
}

export interface EventFilter {
  readonly sessionId?: string;
  readonly type?: string;
  readonly actor?: string;
  /** ISO time, inclusive, on `occurredAt`. */
  readonly from?: string;
  /** ISO time, exclusive, on `occurredAt`. */
  readonly to?: string;
  /** A position (`<partition>:<ms>-<seq>`): only events after it. */
  readonly after?: string;
}

export interface EventPage {
  readonly events: AuditEvent[];
  /** Pass as `after` for the next page; null when this page is the last. */
  readonly next: string | null;
}

/** Rebuilds an envelope from its archive row; `data` and `meta` come back parsed from `json`. */
export const auditEventOf = (row: ArchiveRow): AuditEvent => ({
  position: formatPosition(row.partition, row.entry_id),
  eventId: row.event_id, type: row.type, schemaVersion: row.schema_version, sessionId: row.session_id,
  version: row.version, occurredAt: row.occurred_at, data: row.data, meta: row.meta, prevHash: row.prev_hash, hash: row.hash,
});

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * An ISO 8601 time with its offset, in epoch ms; null otherwise. An audit question needs an
 * unambiguous instant, so a time without `Z` or an offset (local time) is refused.
 */
export const isoInstant = (text: string): number | null => {
  const ms = ISO_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
};

/** Times are stored as `toISOString()` text, so a filter is normalised to the same form. */
const isoTime = (text: string, name: string): string => {
  const ms = isoInstant(text);
  if (ms === null) throw invalid(`${name} is not an ISO 8601 time with Z or an offset: ${text}`);
  return new Date(ms).toISOString();
};

const afterPosition = (text: string) => {
  const position = parsePosition(text);
  if (!position) throw invalid(`after must be a position <partition>:<ms>-<seq>, got ${text}`);
  const [ms = "0", seq = "0"] = position.entryId.split("-");
  return { partition: position.partition, ms, seq };
};

const filtered = (db: Database, filter: EventFilter) => {
  let query = db.selectFrom("event_archive").selectAll();
  if (filter.sessionId !== undefined) query = query.where("session_id", "=", filter.sessionId);
  if (filter.type !== undefined) query = query.where("type", "=", filter.type);
  if (filter.actor !== undefined) query = query.where("actor", "=", filter.actor);
  if (filter.from !== undefined) query = query.where("occurred_at", ">=", isoTime(filter.from, "from"));
  if (filter.to !== undefined) query = query.where("occurred_at", "<", isoTime(filter.to, "to"));
  if (filter.after !== undefined) {
    const { partition, ms, seq } = afterPosition(filter.after);
    query = query.where(sql<boolean>`(entry_ms, partition, entry_seq) > (${ms}::bigint, ${partition}::integer, ${seq}::bigint)`);
  }
  return query.orderBy("entry_ms").orderBy("partition").orderBy("entry_seq");
};

/**
 * One page of archived events matching `filter`, in log-time order (entry time, partition,
 * sequence: a total order over the archive, so a cursor never skips or repeats an event).
 */
export const queryEvents = async (db: Database, filter: EventFilter, limit: number): Promise<EventPage> => {
  const rows = (await filtered(db, filter).limit(limit + 1).execute()) as ArchiveRow[];
  const events = rows.slice(0, limit).map(auditEventOf);
  const last = events.at(-1);
  return { events, next: rows.length > limit && last ? last.position : null };
};

/** Every matching event, page by page: memory stays flat whatever the size of the archive. */
export async function* eachEventPage(db: Database, filter: EventFilter, pageSize = 2000): AsyncGenerator<AuditEvent[]> {
  let after = filter.after;
  for (;;) {
    const page = await queryEvents(db, after === undefined ? filter : { ...filter, after }, pageSize);
    if (page.events.length > 0) yield page.events;
    if (page.next === null) return;
    after = page.next;
  }
}

/** One event by its id, or by `<sessionId>:<version>`. */
export const findEvent = async (db: Database, ref: string): Promise<AuditEvent | null> => {
  const match = /^(.+):(\d{1,9})$/.exec(ref);
  let query = db.selectFrom("event_archive").selectAll();
  query = match ? query.where("session_id", "=", match[1] ?? "").where("version", "=", Number(match[2])) : query.where("event_id", "=", ref);
  const row = (await query.limit(1).executeTakeFirst()) as ArchiveRow | undefined;
  return row ? auditEventOf(row) : null;
};
