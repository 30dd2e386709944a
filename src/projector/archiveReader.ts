import { archiveQueries, type ArchivedEvent } from "../../projections/archive.ts";
import { createArchiveCheck, verifyArchivedSession, type ArchiveCheck, type ArchiveFault } from "../audit/verifyArchive.ts";
import type { Database } from "../infra/database.ts";

/** A rebuild from the archive met a row that fails verification: nothing of it is swapped in. */
export class TamperedArchiveError extends Error {
  override readonly name = "TamperedArchiveError";
  constructor(readonly sessionId: string, readonly fault: ArchiveFault) {
    super(
      `the archive fails verification at session ${sessionId} version ${fault.version}: ${fault.reason}${fault.column ? ` (${fault.column})` : ""}; ` +
        `nothing was swapped in (see ccm events verify --session ${sessionId})`,
    );
  }
}

/**
 * Reads the archive for a rebuild, partition by partition in log order, and verifies it in the
 * same pass: each row against its sealed body, and each session's chain in log order (only the
 * last version and hash of each session of a partition being read are kept). Throws
 * `TamperedArchiveError` at the first fault.
 */
export const createArchiveReader = (db: Database, partitionFor: (sessionId: string) => number) => {
  const archive = archiveQueries(db);
  const checks = new Map<number, ArchiveCheck>();
  const refuse = async (sessionId: string, fault: ArchiveFault): Promise<never> => {
    // Only on failure: read the session once more to name its fault as `ccm events verify` does.
    const diagnosis = verifyArchivedSession(sessionId, await archive.sessionHistory(sessionId), partitionFor(sessionId));
    throw new TamperedArchiveError(sessionId, diagnosis ?? fault);
  };
  const checkOf = async (partition: number, after: string | null): Promise<ArchiveCheck> => {
    const known = checks.get(partition);
    if (known) return known;
    const check = createArchiveCheck(partitionFor);
    // The first read of a resumed rebuild starts at its checkpoint: take the chains up from there.
    if (after !== null) for (const { sessionId, link } of await archive.chainLinksUpTo(partition, after)) check.resume(sessionId, link);
    checks.set(partition, check);
    return check;
  };
  return {
    /** Rows under a partition that does not exist would never be read: refuse them up front. */
    async checkPartitions(partitions: number): Promise<void> {
      const stray = await archive.firstOutside(partitions);
      if (stray) await refuse(stray.envelope.sessionId, { version: stray.envelope.version, reason: "column_mismatch", column: "partition" });
    },
    /** A partition's next events after `after`, verified. */
    async read(partition: number, after: string | null, limit: number): Promise<ArchivedEvent[]> {
      const check = await checkOf(partition, after);
      const events = await archive.readPartition(partition, after, limit);
      const fault = check.check(events);
      if (fault) await refuse(fault.sessionId, fault);
      if (events.length === 0) checks.delete(partition);
      return events;
    },
  };
};
