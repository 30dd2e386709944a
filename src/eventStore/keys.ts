/**
 * Redis key layout. Everything a session touches shares the hash tag of its partition
 * (`{p3}`), so the append script runs unchanged on Redis Cluster.
 */
export interface Keys {
  readonly config: string;
  readonly partitionLog: (partition: number) => string;
  readonly sessionStream: (partition: number, sessionId: string) => string;
  readonly sessionHead: (partition: number, sessionId: string) => string;
  readonly idempotency: (partition: number, sessionId: string, key: string) => string;
  readonly deadLetters: (group: string) => string;
}

export const createKeys = (prefix: string): Keys => {
  const tag = (partition: number) => `${prefix}{p${partition}}`;
  return {
    config: `${prefix}config`,
    partitionLog: (partition) => `${tag(partition)}:log`,
    sessionStream: (partition, sessionId) => `${tag(partition)}:s:${sessionId}`,
    sessionHead: (partition, sessionId) => `${tag(partition)}:h:${sessionId}`,
    idempotency: (partition, sessionId, key) => `${tag(partition)}:idem:${sessionId}:${key}`,
    deadLetters: (group) => `${prefix}dlq:${group}`,
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
