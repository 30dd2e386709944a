import { GENESIS_LINK, hashEnvelope, linkFault, type ChainLink } from "../../events/envelope.ts";
import type { ArchivedEvent } from "../../projections/archive.ts";

/** Archive columns the hash does not cover: copies of the body, and the event's place in the log. */
export const checkedColumns = ["actor", "entry_id", "partition"] as const;
export type CheckedColumn = (typeof checkedColumns)[number];

export type ArchiveReason = "hash_mismatch" | "prev_hash_mismatch" | "version_gap" | "wrong_session" | "column_mismatch" | "position_order";

export interface ArchiveFault {
  readonly version: number;
  readonly reason: ArchiveReason;
  /** The column that disagrees with the body, for `column_mismatch`. */
  readonly column?: CheckedColumn;
}

type RowFault = Omit<ArchiveFault, "version">;

/**
 * One archived row against its sealed body. The envelope rebuilt from the row's columns must
 * hash to its `hash` (that covers type, session, version, time, ids, data, meta and prevHash);
 * the columns outside the hash, which audit queries filter and page on, must agree with it:
 * `actor` with `meta.actor`, `entry_id` with (entry_ms, entry_seq), `partition` with the
 * session's partition.
 */
const rowFault = (event: ArchivedEvent, partition: number): RowFault | null => {
  const { envelope } = event;
  if (hashEnvelope(envelope) !== envelope.hash) return { reason: "hash_mismatch" };
  if (event.actor !== envelope.meta.actor) return { reason: "column_mismatch", column: "actor" };
  if (event.partition !== partition) return { reason: "column_mismatch", column: "partition" };
  if (event.entryId !== `${event.entryMs}-${event.entrySeq}`) return { reason: "column_mismatch", column: "entry_id" };
  return null;
};

const byPosition = (a: ArchivedEvent, b: ArchivedEvent): number =>
  a.entryMs === b.entryMs ? Number(a.entrySeq - b.entrySeq) : a.entryMs < b.entryMs ? -1 : 1;

/** The first version whose place in log order is not its place in version order, or null. */
const firstMisplaced = (inVersionOrder: readonly ArchivedEvent[]): number | null => {
  const inLogOrder = [...inVersionOrder].sort(byPosition);
  const index = inLogOrder.findIndex((event, at) => event !== inVersionOrder[at]);
  return index < 0 ? null : (inVersionOrder[index]?.envelope.version ?? null);
};

/**
 * Verifies one session's archived rows, given in version order: the hash chain, each row
 * against its body, and that ordering the rows by log position gives versions 1..n in order.
 * The lowest faulty version wins; on a tie the chain's reason explains more.
 */
export const verifyArchivedSession = (sessionId: string, events: readonly ArchivedEvent[], partition: number): ArchiveFault | null => {
  let previous: ChainLink = GENESIS_LINK;
  let chain: ArchiveFault | null = null;
  for (const event of events) {
    const link = linkFault(sessionId, previous, event.envelope);
    const fault = link ? { reason: link } : rowFault(event, partition);
    if (fault) {
      chain = { version: previous.version + 1, ...fault };
      break;
    }
    previous = event.envelope;
  }
  const misplaced = firstMisplaced(events);
  return misplaced !== null && (chain === null || misplaced < chain.version) ? { version: misplaced, reason: "position_order" } : chain;
};

export type ArchiveCheck = ReturnType<typeof createArchiveCheck>;

/**
 * Verifies archived rows as a reader meets them, partition by partition in log order, in one
 * pass: it keeps only where each session's chain stands. A session's next row in log order must
 * be its next version, chained to the last, and agree with its own body.
 */
export const createArchiveCheck = (partitionFor: (sessionId: string) => number) => {
  const links = new Map<string, ChainLink>();
  return {
    /** Where a session's chain stood before this reader started (a resumed rebuild). */
    resume: (sessionId: string, link: ChainLink) => void links.set(sessionId, link),
    /**
     * The first fault among the next `events` of one partition, with its session; null when all
     * are sound. Out of log order shows here as a gap: `verifyArchivedSession` tells them apart.
     */
    check(events: readonly ArchivedEvent[]): (ArchiveFault & { readonly sessionId: string }) | null {
      for (const event of events) {
        const { sessionId, version, hash } = event.envelope;
        const previous = links.get(sessionId) ?? GENESIS_LINK;
        const link = linkFault(sessionId, previous, event.envelope);
        const fault = link ? { reason: link } : rowFault(event, partitionFor(sessionId));
        if (fault) return { sessionId, version: previous.version + 1, ...fault };
        links.set(sessionId, { version, hash });
      }
      return null;
    },
  };
};
