import { verifyChain, type Envelope } from "../../events/envelope.ts";
import { archiveQueries, type ArchivedEvent } from "../../projections/archive.ts";
import { envelopeOfRaw } from "../eventStore/entryCodec.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { Database } from "../infra/database.ts";
import { verifyArchivedSession, type CheckedColumn } from "./verifyArchive.ts";

/**
 * Why one copy's chain is broken. `column_mismatch` (an archive column outside the hash that
 * disagrees with the body; `column` names it) and `position_order` (archived rows whose log
 * order is not their version order) are the archive's only.
 */
export const chainReasons = ["hash_mismatch", "prev_hash_mismatch", "version_gap", "wrong_session", "unreadable", "column_mismatch", "position_order"] as const;
export type ChainReason = (typeof chainReasons)[number];
/** Why the two copies disagree: a version whose hashes differ, or one only the archive has. */
export const copyReasons = ["redis_archive_mismatch", "missing_in_redis"] as const;
export type CopyReason = (typeof copyReasons)[number];
export type VerifyReason = ChainReason | CopyReason;

export interface SourceVerdict {
  readonly ok: boolean;
  readonly events: number;
  readonly firstBadVersion?: number;
  readonly reason?: ChainReason;
  readonly column?: CheckedColumn;
}

export interface SessionVerdict {
  readonly sessionId: string;
  readonly ok: boolean;
  /** Distinct versions seen in either copy. */
  readonly events: number;
  readonly firstBadVersion?: number;
  readonly reason?: VerifyReason;
  /** The archive column that disagrees with the body, for `column_mismatch`. */
  readonly column?: CheckedColumn;
  /** Where the first fault is. */
  readonly source?: "redis" | "archive" | "both";
  readonly redis: SourceVerdict;
  readonly archive: SourceVerdict;
  /** Events in Redis the archive has not received yet: lag, not a fault. */
  readonly archiveBehind: number;
}

interface Fault {
  readonly version: number;
  readonly reason: VerifyReason;
  readonly column?: CheckedColumn;
  readonly source: "redis" | "archive" | "both";
}

/**
 * A session stream's entries, parsed one by one: the entry id is `0-<version>`, so an entry
 * whose body no longer parses is still named by its version.
 */
const readRedisChain = async (store: EventStore, sessionId: string) => {
  const entries = await store.readSessionEntries(sessionId, 0);
  const envelopes: Envelope[] = [];
  for (const entry of entries) {
    try {
      envelopes.push(envelopeOfRaw(entry));
    } catch {
      return { envelopes, unreadable: entry.version, total: entries.length };
    }
  }
  return { envelopes, unreadable: null, total: entries.length };
};

const chainVerdict = (sessionId: string, envelopes: readonly Envelope[], total: number, unreadable: number | null): SourceVerdict => {
  const verdict = verifyChain(sessionId, envelopes);
  if (!verdict.ok) return { ...verdict, events: total };
  if (unreadable !== null) return { ok: false, events: total, firstBadVersion: Math.min(unreadable, envelopes.length + 1), reason: unreadable === envelopes.length + 1 ? "unreadable" : "version_gap" };
  return { ok: true, events: total };
};

/** The archive's chain, each row against its body, and its log order. */
const archiveVerdict = (sessionId: string, events: readonly ArchivedEvent[], partition: number): SourceVerdict => {
  const fault = verifyArchivedSession(sessionId, events, partition);
  if (!fault) return { ok: true, events: events.length };
  return { ok: false, events: events.length, firstBadVersion: fault.version, reason: fault.reason, ...(fault.column ? { column: fault.column } : {}) };
};

/** The first version where the two copies disagree, comparing the hashes they store. */
const firstCopyFault = (redis: readonly Envelope[], archive: readonly Envelope[]): Fault | null => {
  const redisHashes = new Map(redis.map((envelope) => [envelope.version, envelope.hash]));
  const redisHead = redis.at(-1)?.version ?? 0;
  for (const envelope of archive) {
    const hash = redisHashes.get(envelope.version);
    if (hash !== undefined && hash !== envelope.hash) return { version: envelope.version, reason: "redis_archive_mismatch", source: "both" };
    // Redis keeps a session's stream until it is purged: an archived version beyond its head is foreign.
    if (hash === undefined && redis.length > 0 && envelope.version > redisHead) return { version: envelope.version, reason: "missing_in_redis", source: "both" };
  }
  return null;
};

const faultOf = (verdict: SourceVerdict, source: "redis" | "archive"): Fault | null =>
  verdict.ok || verdict.firstBadVersion === undefined || verdict.reason === undefined
    ? null
    : { version: verdict.firstBadVersion, reason: verdict.reason, source, ...(verdict.column ? { column: verdict.column } : {}) };

/** Combines the verdicts: the lowest faulty version wins; on a tie a chain fault explains more than a copy fault. */
const firstFault = (faults: readonly (Fault | null)[]): Fault | null =>
  faults.reduce<Fault | null>((best, fault) => (fault && (!best || fault.version < best.version) ? fault : best), null);

/**
 * Verifies one session in both copies: the hash chain of its Redis stream, the hash chain of
 * its archived rows, and that the two agree version by version. Names the first bad version.
 */
export const verifySession = async (deps: { store: EventStore; db: Database }, sessionId: string): Promise<SessionVerdict> => {
  const [fromRedis, archived] = await Promise.all([readRedisChain(deps.store, sessionId), archiveQueries(deps.db).sessionHistory(sessionId)]);
  const archiveEnvelopes = archived.map((event) => event.envelope);
  const redis = chainVerdict(sessionId, fromRedis.envelopes, fromRedis.total, fromRedis.unreadable);
  const archive = archiveVerdict(sessionId, archived, deps.store.partitionFor(sessionId));
  const fault = firstFault([faultOf(redis, "redis"), faultOf(archive, "archive"), firstCopyFault(fromRedis.envelopes, archiveEnvelopes)]);
  const versions = new Set([...fromRedis.envelopes, ...archiveEnvelopes].map((envelope) => envelope.version));
  const archivedHead = archiveEnvelopes.at(-1)?.version ?? 0;
  const base = {
    sessionId, events: Math.max(versions.size, fromRedis.total), redis, archive,
    archiveBehind: Math.max(0, (fromRedis.envelopes.at(-1)?.version ?? 0) - archivedHead),
  };
  if (!fault) return { ...base, ok: true };
  const { version, source, ...why } = fault;
  return { ...base, ok: false, firstBadVersion: version, ...why, source };
};

/** Every session either copy knows, with the number of events each holds (for progress). */
export const sessionSizes = async (deps: { store: EventStore; db: Database }): Promise<Map<string, number>> => {
  const sizes = new Map<string, number>();
  const rows = (await deps.db.selectFrom("event_archive").select(["session_id"]).select((eb) => eb.fn.countAll<string>().as("n")).groupBy("session_id").execute()) as { session_id: string; n: string }[];
  for (const row of rows) sizes.set(row.session_id, Number(row.n));
  for await (const head of deps.store.sessionHeads()) sizes.set(head.sessionId, Math.max(sizes.get(head.sessionId) ?? 0, head.version));
  return sizes;
};

export interface VerifyAllResult {
  readonly sessions: number;
  readonly events: number;
  readonly failures: SessionVerdict[];
}

/**
 * Verifies every session, a few at a time (reads overlap with hashing). `onProgress` gets the
 * events verified so far and the expected total.
 */
export const verifyAll = async (
  deps: { store: EventStore; db: Database },
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void; onVerdict?: (verdict: SessionVerdict) => void } = {},
): Promise<VerifyAllResult> => {
  const sizes = await sessionSizes(deps);
  const ids = [...sizes.keys()].sort();
  const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
  const failures: SessionVerdict[] = [];
  let done = 0;
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < ids.length; index = next++) {
      const verdict = await verifySession(deps, ids[index] ?? "");
      done += verdict.events;
      if (!verdict.ok) failures.push(verdict);
      options.onVerdict?.(verdict);
      options.onProgress?.(done, total);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  failures.sort((a, b) => a.sessionId.localeCompare(b.sessionId));
  return { sessions: ids.length, events: done, failures };
};
