import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import { GENESIS_HASH, sealEnvelope, unsealEnvelope, type Envelope, type EventMeta } from "../../events/envelope.ts";
import { currentSchemaVersion, parseEnvelope, validateNewEvent, type DomainEvent } from "../../events/registry.ts";
import { ConcurrencyError } from "../errors.ts";
import { createKeys, partitionOf, type Keys } from "./keys.ts";
import { formatPosition } from "./position.ts";

const appendScript = readFileSync(new URL("./scripts/append.lua", import.meta.url), "utf8");

export interface AppendOptions {
  readonly meta: EventMeta;
  /** The hash of the event at `expectedVersion`; read from the head when not given. */
  readonly expectedHash?: string;
  readonly idempotencyKey?: string;
  readonly now?: Date;
}

export interface AppendResult {
  readonly sessionId: string;
  readonly partition: number;
  /** The version of the last event written (or, with no events, the current version). */
  readonly version: number;
  readonly lastHash: string;
  /** Partition log entry ids of the new events, in order. */
  readonly entryIds: readonly string[];
  /** Where the last event sits in its partition log: what read-your-writes waits for. */
  readonly position: string | null;
  /** True when the idempotency key had been seen: nothing was written this time. */
  readonly duplicate: boolean;
}

/** An event as read from a partition log. */
export interface StoredEvent {
  readonly partition: number;
  readonly entryId: string;
  readonly envelope: Envelope;
}

export interface SessionHistory {
  readonly events: readonly Envelope[];
  readonly version: number;
  readonly lastHash: string;
}

export type EventStore = Awaited<ReturnType<typeof createEventStore>>;

const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

type AppendReply = [string, ...string[]];

interface ScriptedRedis extends Redis {
  ccmAppend(...args: (string | number)[]): Promise<AppendReply>;
}

/**
 * The event store: per-session streams plus partition logs on Redis Streams. Opens (or
 * creates) the deployment's partition count, which never changes once stored.
 */
export const createEventStore = async (options: { redis: Redis; prefix: string; partitions: number }) => {
  const redis = options.redis as ScriptedRedis;
  if (typeof redis.ccmAppend !== "function") options.redis.defineCommand("ccmAppend", { numberOfKeys: 4, lua: appendScript });
  const keys: Keys = createKeys(options.prefix);
  await redis.hsetnx(keys.config, "partitions", options.partitions);
  const partitions = Number(await redis.hget(keys.config, "partitions"));

  const partitionFor = (sessionId: string) => partitionOf(sessionId, partitions);

  const readHead = async (sessionId: string) => {
    const [version, hash] = await redis.hmget(keys.sessionHead(partitionFor(sessionId), sessionId), "version", "hash");
    return { version: Number(version ?? 0), hash: hash ?? GENESIS_HASH };
  };

  const toResult = (sessionId: string, reply: readonly string[], duplicate: boolean): AppendResult => {
    const [version, lastHash, ...entryIds] = reply;
    const partition = partitionFor(sessionId);
    const last = entryIds.at(-1);
    return {
      sessionId,
      partition,
      version: Number(version),
      lastHash: lastHash ?? GENESIS_HASH,
      entryIds,
      position: last ? formatPosition(partition, last) : null,
      duplicate,
    };
  };

  const seal = (sessionId: string, firstVersion: number, prevHash: string, events: readonly DomainEvent[], options: AppendOptions) => {
    const occurredAt = (options.now ?? new Date()).toISOString();
    const { actor, causationId, correlationId, requestId } = options.meta;
    const meta = { actor, causationId, correlationId, requestId };
    const sealed: { envelope: Envelope; body: string }[] = [];
    for (const [index, event] of events.entries()) {
      validateNewEvent(event);
      // Keys in sorted order, so canonical encoding can take its fast path.
      const envelope = sealEnvelope({
        data: event.data,
        eventId: randomUUID(),
        meta,
        occurredAt,
        prevHash: sealed.at(-1)?.envelope.hash ?? prevHash,
        schemaVersion: currentSchemaVersion(event.type),
        sessionId,
        type: event.type,
        version: firstVersion + index,
      });
      sealed.push(envelope);
    }
    return sealed;
  };

  /**
   * Appends `events` after `expectedVersion`. Throws ConcurrencyError when the session has
   * moved on. A repeated idempotency key returns the first result and writes nothing.
   */
  const append = async (
    sessionId: string,
    expectedVersion: number,
    events: readonly DomainEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> => {
    const expectedHash = options.expectedHash ?? (await readHead(sessionId)).hash;
    if (events.length === 0) return toResult(sessionId, [String(expectedVersion), expectedHash], false);
    const sealed = seal(sessionId, expectedVersion + 1, expectedHash, events, options);
    const partition = partitionFor(sessionId);
    const args: (string | number)[] = [
      keys.sessionHead(partition, sessionId),
      keys.sessionStream(partition, sessionId),
      keys.partitionLog(partition),
      keys.idempotency(partition, sessionId, options.idempotencyKey ?? "-"),
      expectedVersion,
      expectedHash,
      options.idempotencyKey ? "1" : "0",
      IDEMPOTENCY_TTL_SECONDS,
      sessionId,
      sealed.at(-1)?.envelope.hash ?? expectedHash,
      sealed.length,
    ];
    for (const { envelope, body } of sealed) args.push(envelope.type, body, envelope.hash);
    const [status, ...rest] = await redis.ccmAppend(...args);
    if (status === "ok") return toResult(sessionId, rest, false);
    if (status === "dup") return toResult(sessionId, (rest[0] ?? "").split(" "), true);
    const actual = status === "conflict" ? Number(rest[0]) : (await readHead(sessionId)).version;
    throw new ConcurrencyError(sessionId, expectedVersion, actual);
  };

  /** The recorded result of an idempotency key, if it was used on this session. */
  const idempotentResult = async (sessionId: string, key: string): Promise<AppendResult | null> => {
    const recorded = await redis.get(keys.idempotency(partitionFor(sessionId), sessionId, key));
    return recorded === null ? null : toResult(sessionId, recorded.split(" "), true);
  };

  /** A session's events from `fromVersion` on, in order, with the head they end at. */
  const readSession = async (sessionId: string, fromVersion = 1): Promise<SessionHistory> => {
    const entries = await redis.xrange(keys.sessionStream(partitionFor(sessionId), sessionId), `0-${fromVersion}`, "+");
    const events = entries.map(([, fields]) => envelopeOf(fields));
    const last = events.at(-1);
    if (last) return { events, version: last.version, lastHash: last.hash };
    const head = await readHead(sessionId);
    return { events, version: head.version, lastHash: head.hash };
  };

  /** Entries of one partition log between two entry ids (inclusive), oldest first. */
  const readPartition = async (partition: number, start = "-", end = "+", count = 1000): Promise<StoredEvent[]> => {
    const entries = await redis.xrange(keys.partitionLog(partition), start, end, "COUNT", count);
    return entries.map(([entryId, fields]) => ({
      partition,
      entryId,
      envelope: envelopeOf(fields),
    }));
  };

  return { keys, partitions, partitionFor, append, idempotentResult, readSession, readPartition, readHead, redis };
};

/** The envelope stored in a stream entry's `e` (hashed body) and `h` (hash) fields. */
export const envelopeOf = (fields: readonly string[]): Envelope =>
  parseEnvelope(unsealEnvelope(fieldOf(fields, "e"), fieldOf(fields, "h")));

export const fieldOf = (fields: readonly string[], name: string): string => {
  for (let index = 0; index < fields.length; index += 2) {
    if (fields[index] === name) return fields[index + 1] ?? "";
  }
  throw new Error(`stream entry has no field ${name}`);
};
