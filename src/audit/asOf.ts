import { sql } from "kysely";
import type { Envelope } from "../../events/envelope.ts";
import { sessionDecider, type SessionState } from "../../commands/session/index.ts";
import { archiveQueries } from "../../projections/archive.ts";
import { projectInMemory } from "../../projections/sessions/applyEvent.ts";
import { AppError } from "../errors.ts";
import { foldEnvelopes } from "../eventStore/commandHandler.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import { compareEntryIds, parsePosition, type Position } from "../eventStore/position.ts";
import type { Database } from "../infra/database.ts";
import { sessionView, type SessionView } from "../../projections/sessions/views.ts";
import { isoInstant } from "./eventsQuery.ts";

/** A point in a session's history: a log position, a time, or a version. */
export type AsOf =
  | { readonly kind: "position"; readonly position: Position }
  | { readonly kind: "time"; readonly at: number }
  | { readonly kind: "version"; readonly version: number };

/** `<partition>:<ms>-<seq>`, an ISO 8601 time, or a bare version number. */
export const parseAsOf = (text: string): AsOf | null => {
  const position = parsePosition(text);
  if (position) return { kind: "position", position };
  if (/^\d{1,9}$/.test(text)) return { kind: "version", version: Number(text) };
  const at = isoInstant(text);
  return at === null ? null : { kind: "time", at };
};

interface Deps {
  readonly store: EventStore;
  readonly db: Database;
}

const LOG_PAGE = 1000;

/** The last version of the session in its partition log between two entry ids (exclusive, inclusive]. */
const lastInLog = async (store: EventStore, sessionId: string, partition: number, after: string | null, upTo: string) => {
  let start = after === null ? "-" : `(${after}`;
  let last = 0;
  for (;;) {
    const entries = await store.readPartitionEntries(partition, start, upTo, LOG_PAGE);
    for (const entry of entries) if (entry.sessionId === sessionId) last = entry.version;
    const end = entries.at(-1);
    if (entries.length < LOG_PAGE || !end) return last;
    start = `(${end.entryId}`;
  }
};

/**
 * The session's last version at or before a log position. The archive knows where each
 * archived event sits; events it has not received yet are found in the partition log after
 * the last archived one (a short stretch: the archive's lag).
 */
const versionAtPosition = async (deps: Deps, sessionId: string, position: Position): Promise<number> => {
  const partition = deps.store.partitionFor(sessionId);
  if (position.partition !== partition) {
    throw AppError.of("validation_failed", `asOf position is in partition ${position.partition}, but session ${sessionId} lives in partition ${partition}`);
  }
  const [ms, seq] = position.entryId.split("-");
  const row = (await deps.db.selectFrom("event_archive")
    .select((eb) => eb.fn.max("version").as("before"))
    .select(sql<number | null>`max(version) filter (where (entry_ms, entry_seq) <= (${ms}::bigint, ${seq}::bigint))`.as("atOrBefore"))
    .where("session_id", "=", sessionId)
    .executeTakeFirst()) as { before: number | null; atOrBefore: number | null } | undefined;
  const archivedHead = row?.before ?? 0;
  const atOrBefore = row?.atOrBefore ?? 0;
  if (atOrBefore < archivedHead) return atOrBefore;
  const lastArchived = archivedHead === 0 ? null : await lastArchivedEntry(deps.db, sessionId, archivedHead);
  if (lastArchived !== null && compareEntryIds(lastArchived, position.entryId) >= 0) return atOrBefore;
  return Math.max(atOrBefore, await lastInLog(deps.store, sessionId, partition, lastArchived, position.entryId));
};

const lastArchivedEntry = async (db: Database, sessionId: string, version: number): Promise<string | null> => {
  const row = (await db.selectFrom("event_archive").select("entry_id").where("session_id", "=", sessionId).where("version", "=", version).executeTakeFirst()) as
    | { entry_id: string }
    | undefined;
  return row?.entry_id ?? null;
};

/** The longest prefix of the history whose events all happened at or before `at`. */
const prefixAtTime = (events: readonly Envelope[], at: number): number => {
  let version = 0;
  for (const event of events) {
    if (Date.parse(event.occurredAt) > at) break;
    version = event.version;
  }
  return version;
};

/** The history: the session stream in Redis, or the archive when Redis no longer has it. */
const sessionEvents = async (deps: Deps, sessionId: string): Promise<readonly Envelope[]> => {
  const { events } = await deps.store.readSession(sessionId);
  if (events.length > 0) return events;
  return (await archiveQueries(deps.db).sessionHistory(sessionId)).map((event) => event.envelope);
};

export interface SessionAsOf {
  /** The last version folded. */
  readonly version: number;
  readonly state: SessionState;
  /** What GET /sessions/:id answered at that point; null when the session did not exist (yet, or any more). */
  readonly view: SessionView | null;
}

/** The session as it was at a point of its history, folded from its events by the decider. */
export const sessionAsOf = async (deps: Deps, sessionId: string, asOf: AsOf): Promise<SessionAsOf> => {
  const events = await sessionEvents(deps, sessionId);
  const version =
    asOf.kind === "version" ? asOf.version
    : asOf.kind === "time" ? prefixAtTime(events, asOf.at)
    : await versionAtPosition(deps, sessionId, asOf.position);
  const prefix = events.filter((event) => event.version <= version);
  // Folded as the command path folds (events this build cannot decode are skipped).
  const state = foldEnvelopes(sessionDecider, prefix, sessionDecider.initialState());
  return { version: prefix.at(-1)?.version ?? 0, state, view: viewOf(sessionId, prefix) };
};

/** The read model as it was: the projection's own fold, run in memory over the prefix. */
const viewOf = (sessionId: string, prefix: readonly Envelope[]): SessionView | null => {
  const row = projectInMemory(prefix).sessions.get(sessionId);
  return row ? sessionView(row) : null;
};
