/**
 * Redis key layout. Everything a session touches shares the hash tag of its partition
 * (`{p3}`), so the append script runs unchanged on Redis Cluster; so do a partition's log, its
 * dead letters and its heads. `config` stands alone (used by itself only).
 */
export interface Keys {
  readonly config: string;
  readonly partitionLog: (partition: number) => string;
  readonly sessionStream: (partition: number, sessionId: string) => string;
  readonly sessionHead: (partition: number, sessionId: string) => string;
  /** A SCAN pattern matching every session head of a partition, and where the session id starts in a match. */
  readonly sessionHeadPattern: (partition: number) => { readonly pattern: string; readonly idOffset: number };
  readonly idempotency: (partition: number, sessionId: string, key: string) => string;
  /** A group's dead letters of one partition: beside its log, so moving an entry there and acknowledging it is one MULTI on a cluster too. */
  readonly deadLetters: (partition: number, group: string) => string;
  /** The pub/sub channel of a session's live deltas (never stored), and the pattern of all of them. */
  readonly liveDeltas: (sessionId: string) => string;
  readonly liveDeltasPattern: string;
  /** The CLIENT LIST name of a connection the store opens for `role`, so an operator can tell deployments apart. */
  readonly connectionName: (role: string) => string;
}

export const createKeys = (prefix: string): Keys => {
  const tag = (partition: number) => `${prefix}{p${partition}}`;
  return {
    config: `${prefix}config`,
    partitionLog: (partition) => `${tag(partition)}:log`,
    sessionStream: (partition, sessionId) => `${tag(partition)}:s:${sessionId}`,
    sessionHead: (partition, sessionId) => `${tag(partition)}:h:${sessionId}`,
    sessionHeadPattern: (partition) => ({ pattern: `${tag(partition)}:h:*`, idOffset: `${tag(partition)}:h:`.length }),
    idempotency: (partition, sessionId, key) => `${tag(partition)}:idem:${sessionId}:${key}`,
    deadLetters: (partition, group) => `${tag(partition)}:dlq:${group}`,
    liveDeltas: (sessionId) => `${prefix}live:${sessionId}`,
    liveDeltasPattern: `${prefix}live:*`,
    connectionName: (role) => `${prefix}${role}`,
  };
};

/** FNV-1a over the id's UTF-8 bytes: stable across processes and releases. */
export const partitionOf = (sessionId: string, partitions: number): number => {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(sessionId, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
};
