import { randomUUID } from "node:crypto";
import type { RedisClient } from "../infra/redis.ts";
import { GENESIS_HASH, sealEnvelope, type Envelope, type EventMeta } from "../../events/envelope.ts";
import { currentSchemaVersion, validateNewEvent, type DomainEvent } from "../../events/registry.ts";
import type { Logger } from "pino";
import { defineScripts } from "../infra/luaScripts.ts";
import { duplicateClient, isCluster, logConnection, scanKeys } from "../infra/redis.ts";
import { checkDeployment, type DeploymentWitness } from "./deployment.ts";
import { createWriteGuard } from "./writeGuard.ts";
import { createDeadLetters } from "./deadLetters.ts";
import { envelopeOfFields, rawEntryOf, sessionEntryId, type RawEntry } from "./entryCodec.ts";
import { VersionConflictError } from "./errors.ts";
import { infoRecord, type StoredEvent, type StoreInternals } from "./internals.ts";
import { createKeys, partitionOf } from "./keys.ts";
import { createRestore } from "./restore.ts";
import { createLiveDeltas } from "./liveDeltas.ts";
import { openLogTail, type LogEntry, type LogTailOptions } from "./logTail.ts";
import { formatPosition } from "./position.ts";
import { trimmedPartitions, trimPartitionLogs, type ArchivedUpTo } from "./retention.ts";
import { createSubscription, type SubscriptionOptions } from "./subscription.ts";

export type { StoredEvent } from "./internals.ts";

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

export interface SessionHistory {
  readonly events: readonly Envelope[];
  readonly version: number;
  readonly lastHash: string;
}

export interface GroupInfo {
  /** Entries delivered to the group and not acknowledged yet. */
  readonly pending: number;
  /** Entries not delivered yet; null when Redis cannot tell (after deletions). */
  readonly lag: number | null;
}

export type EventStore = Awaited<ReturnType<typeof createEventStore>>;

const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

type AppendReply = [string, ...string[]];
type Entry = [id: string, fields: string[]];

type ScriptedRedis = RedisClient & {
  ccmAppend(...args: (string | number)[]): Promise<AppendReply>;
};

/**
 * The event store: per-session streams plus partition logs on Redis Streams, and the only code
 * that touches its Redis client and key names. Opens (or creates) the deployment's partition
 * count, which never changes once stored.
 */
export const createEventStore = async (options: { redis: RedisClient; prefix: string; partitions: number; logger?: Logger }) => {
  const redis = options.redis as ScriptedRedis;
  defineScripts(redis, new URL("./scripts/", import.meta.url));
  const keys = createKeys(options.prefix);
  await redis.hsetnx(keys.config, "partitions", options.partitions);
  const partitions = Number(await redis.hget(keys.config, "partitions"));
  const partitionFor = (sessionId: string) => partitionOf(sessionId, partitions);
  const guard = createWriteGuard();
  const duplicate = (role: string): RedisClient => {
    const connection = duplicateClient(redis, keys.connectionName(role));
    return options.logger ? logConnection(connection, options.logger, role) : connection;
  };
  const internals: StoreInternals = {
    redis, keys, partitions, partitionFor, allPartitions: Array.from({ length: partitions }, (_, index) => index), guard, duplicate,
    readSets: (some) => (isCluster(redis) ? some.map((partition) => [partition]) : [some]),
  };
  const streamOf = (sessionId: string) => keys.sessionStream(partitionFor(sessionId), sessionId);

  const readHead = async (sessionId: string) => {
    const [version, hash] = await redis.hmget(keys.sessionHead(partitionFor(sessionId), sessionId), "version", "hash");
    return { version: Number(version ?? 0), hash: hash ?? GENESIS_HASH };
  };

  const toResult = (sessionId: string, reply: readonly string[], duplicate: boolean): AppendResult => {
    const [version, lastHash, ...entryIds] = reply;
    const partition = partitionFor(sessionId);
    const last = entryIds.at(-1);
    return {
      sessionId, partition, version: Number(version), lastHash: lastHash ?? GENESIS_HASH, entryIds,
      position: last ? formatPosition(partition, last) : null, duplicate,
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
      sealed.push(sealEnvelope({
        data: event.data, eventId: randomUUID(), meta, occurredAt,
        prevHash: sealed.at(-1)?.envelope.hash ?? prevHash,
        schemaVersion: currentSchemaVersion(event.type), sessionId, type: event.type, version: firstVersion + index,
      }));
    }
    return sealed;
  };

  /**
   * Appends `events` after `expectedVersion`. Throws VersionConflictError when the session has
   * moved on. A repeated idempotency key returns the first result and writes nothing.
   */
  const append = async (sessionId: string, expectedVersion: number, events: readonly DomainEvent[], options: AppendOptions): Promise<AppendResult> => {
    guard.check();
    const expectedHash = options.expectedHash ?? (await readHead(sessionId)).hash;
    if (events.length === 0) return toResult(sessionId, [String(expectedVersion), expectedHash], false);
    const sealed = seal(sessionId, expectedVersion + 1, expectedHash, events, options);
    const partition = partitionFor(sessionId);
    const args: (string | number)[] = [
      keys.sessionHead(partition, sessionId), keys.sessionStream(partition, sessionId), keys.partitionLog(partition),
      keys.idempotency(partition, sessionId, options.idempotencyKey ?? "-"),
      expectedVersion, expectedHash, options.idempotencyKey ? "1" : "0", IDEMPOTENCY_TTL_SECONDS, sessionId,
      sealed.at(-1)?.envelope.hash ?? expectedHash, sealed.length,
    ];
    for (const { envelope, body } of sealed) args.push(envelope.type, body, envelope.hash);
    const [status, ...rest] = await redis.ccmAppend(...args);
    if (status === "ok") return toResult(sessionId, rest, false);
    if (status === "dup") return toResult(sessionId, (rest[0] ?? "").split(" "), true);
    const actual = status === "conflict" ? Number(rest[0]) : (await readHead(sessionId)).version;
    throw new VersionConflictError(sessionId, expectedVersion, actual);
  };

  /** The recorded result of an idempotency key, if it was used on this session. */
  const idempotentResult = async (sessionId: string, key: string): Promise<AppendResult | null> => {
    const recorded = await redis.get(keys.idempotency(partitionFor(sessionId), sessionId, key));
    return recorded === null ? null : toResult(sessionId, recorded.split(" "), true);
  };

  /** A session's events from `fromVersion` to `toVersion` (inclusive), parsed, in order. */
  const readEvents = async (sessionId: string, fromVersion = 1, toVersion?: number): Promise<Envelope[]> => {
    const end = toVersion === undefined ? "+" : sessionEntryId(toVersion);
    const entries = await redis.xrange(streamOf(sessionId), sessionEntryId(fromVersion), end);
    return entries.map(([entryId, fields]) => envelopeOfFields(entryId, fields));
  };

  /** A session's events from `fromVersion` on, with the head they end at. */
  const readSession = async (sessionId: string, fromVersion = 1): Promise<SessionHistory> => {
    const events = await readEvents(sessionId, fromVersion);
    const last = events.at(-1);
    if (last) return { events, version: last.version, lastHash: last.hash };
    const head = await readHead(sessionId);
    return { events, version: head.version, lastHash: head.hash };
  };

  /** Up to `limit` raw entries of a session stream after `afterVersion`: unparsed, for fan-out and verification. */
  const readSessionEntries = async (sessionId: string, afterVersion: number, limit?: number): Promise<RawEntry[]> => {
    const entries = (limit === undefined
      ? await redis.xrange(streamOf(sessionId), sessionEntryId(afterVersion + 1), "+")
      : await redis.xrange(streamOf(sessionId), sessionEntryId(afterVersion + 1), "+", "COUNT", limit)) as Entry[];
    return entries.map(([entryId, fields]) => rawEntryOf(entryId, fields));
  };

  const partitionRange = async (partition: number, start: string, end: string, count: number) =>
    (await redis.xrange(keys.partitionLog(partition), start, end, "COUNT", count)) as Entry[];

  /** Entries of one partition log between two entry ids (inclusive; `(id` excludes), oldest first. */
  const readPartition = async (partition: number, start = "-", end = "+", count = 1000): Promise<StoredEvent[]> =>
    (await partitionRange(partition, start, end, count)).map(([entryId, fields]) => ({ partition, entryId, envelope: envelopeOfFields(entryId, fields) }));

  const readPartitionEntries = async (partition: number, start = "-", end = "+", count = 1000): Promise<LogEntry[]> =>
    (await partitionRange(partition, start, end, count)).map(([entryId, fields]) => ({ ...rawEntryOf(entryId, fields), partition }));

  /** The id of the first entry after `entryId` (or the first of all), or null at the end. */
  const firstEntryAfter = async (partition: number, entryId: string | null): Promise<string | null> =>
    (await partitionRange(partition, entryId === null ? "-" : `(${entryId}`, "+", 1))[0]?.[0] ?? null;

  const partitionLength = (partition: number): Promise<number> => redis.xlen(keys.partitionLog(partition));

  /** The id of a partition log's last entry, or null while it is empty. */
  const lastEntryId = async (partition: number): Promise<string | null> =>
    ((await redis.xrevrange(keys.partitionLog(partition), "+", "-", "COUNT", 1)) as Entry[])[0]?.[0] ?? null;

  const groupInfo = async (partition: number, group: string): Promise<GroupInfo | null> => {
    const groups = ((await redis.xinfo("GROUPS", keys.partitionLog(partition)).catch(() => [])) as unknown[][]).map(infoRecord);
    const found = groups.find((record) => record.name === group);
    if (!found) return null;
    return { pending: Number(found.pending ?? 0), lag: found.lag === null || found.lag === undefined ? null : Number(found.lag) };
  };

  /** Every session the store holds, with its head version (SCAN of the heads on every master, partition by partition). */
  async function* sessionHeads(): AsyncGenerator<{ sessionId: string; version: number }> {
    for (const partition of internals.allPartitions) {
      const { pattern, idOffset } = keys.sessionHeadPattern(partition);
      for await (const found of scanKeys(redis, pattern)) {
        const versions = await Promise.all(found.map((key) => redis.hget(key, "version")));
        for (const [index, key] of found.entries()) yield { sessionId: key.slice(idOffset), version: Number(versions[index] ?? 0) };
      }
    }
  }

  return {
    partitions,
    partitionFor,
    append,
    idempotentResult,
    readHead,
    readEvents,
    readSession,
    readSessionEntries,
    readPartition,
    readPartitionEntries,
    firstEntryAfter,
    partitionLength,
    lastEntryId,
    groupInfo,
    sessionHeads,
    /** A consumer group member over the partition logs (see subscription.ts). */
    subscribe: (subscription: SubscriptionOptions) => createSubscription(internals, subscription),
    deadLetters: (group: string) => createDeadLetters(internals, group),
    /** Trims the partition logs below what every group and the archive still need (retention.ts). */
    trimPartitionLogs: (requiredGroups: readonly string[], archivedUpTo: ArchivedUpTo) => trimPartitionLogs(internals, requiredGroups, archivedUpTo),
    trimmedPartitions: () => trimmedPartitions(internals),
    /** Follows the partition logs from now on (logTail.ts). */
    openTail: (tail: LogTailOptions = {}) => openLogTail(internals, tail),
    liveDeltas: createLiveDeltas(internals),
    /** Why writes are refused right now, if they are (durability, a lost deployment). */
    guard,
    /** Checks the deployment marker against what this process saw before and what Postgres remembers (deployment.ts). */
    checkDeployment: (witness: DeploymentWitness | null, known: string | null) => checkDeployment(internals, witness, known),
    /** The deployment marker Redis holds, or null (a new deployment, or Redis lost its data). */
    deploymentMarker: () => redis.hget(keys.config, "deployment"),
    /** Puts the store's data back from a copy after Redis lost it (restore.ts). */
    restore: () => createRestore(internals),
  };
};
