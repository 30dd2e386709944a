import type { Logger } from "pino";
import type { Envelope } from "../../events/envelope.ts";
import { envelopeJson, sessionEntryId } from "../eventStore/entryCodec.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { LiveEvent } from "./hub.ts";

/**
 * Reads a session's events after a version from the archive (Postgres) when Redis no longer
 * has them. Returns at most `limit` envelopes in version order.
 */
export type ReadArchive = (sessionId: string, afterVersion: number, limit: number) => Promise<readonly Envelope[]>;

const liveEventOfEnvelope = (envelope: Envelope): LiveEvent => ({
  id: sessionEntryId(envelope.version),
  version: envelope.version,
  json: JSON.stringify(envelope),
});

/**
 * Pages through a session's events: the session stream in Redis first, the archive for the
 * versions Redis no longer holds (trimmed or purged). A page always starts right after
 * `afterVersion` unless neither source has that version.
 */
export const createEventPages = (options: {
  store: EventStore;
  logger: Logger;
  readArchive?: ReadArchive | undefined;
  /** Told where each page with events came from (metrics). */
  onPage?: (source: "redis" | "archive") => void;
}) => {
  const { store, logger, readArchive } = options;
  const told = (source: "redis" | "archive", events: LiveEvent[]) => {
    if (events.length > 0) options.onPage?.(source);
    return events;
  };

  const fromRedis = async (sessionId: string, afterVersion: number, limit: number): Promise<LiveEvent[]> =>
    (await store.readSessionEntries(sessionId, afterVersion, limit)).map((entry) => ({ id: entry.entryId, version: entry.version, json: envelopeJson(entry) }));

  const fromArchive = async (sessionId: string, afterVersion: number, limit: number): Promise<LiveEvent[]> => {
    if (!readArchive) return [];
    const envelopes = await readArchive(sessionId, afterVersion, limit);
    return envelopes.filter((envelope) => envelope.version > afterVersion).map(liveEventOfEnvelope);
  };

  /** Up to `limit` events after `afterVersion`, oldest first; empty at the head. */
  const page = async (sessionId: string, afterVersion: number, limit: number): Promise<LiveEvent[]> => {
    const redisPage = await fromRedis(sessionId, afterVersion, limit);
    const first = redisPage[0];
    if (first?.version === afterVersion + 1) return told("redis", redisPage);
    // Redis starts later than asked (trimmed), or holds nothing although the head is ahead.
    const missingUpTo = first ? first.version - 1 : (await store.readHead(sessionId)).version;
    if (missingUpTo <= afterVersion) return told("redis", redisPage);
    const archived = await fromArchive(sessionId, afterVersion, Math.min(limit, missingUpTo - afterVersion));
    if (archived.length > 0) return told("archive", archived);
    logger.warn({ sessionId, afterVersion, missingUpTo, archive: Boolean(readArchive) }, "events missing from Redis and the archive; skipping them");
    return redisPage;
  };

  return { page };
};

export type EventPages = ReturnType<typeof createEventPages>;
