import { writeBatch, type FileWrite } from "./indexStore.ts";
import type { TranscriptDb } from "./transcriptDb.ts";

/**
 * Groups the writes of many small files into few transactions (round trips, not rows, dominate
 * indexing a folder of thousands of files) and runs them one at a time behind the readers, so
 * parsing and Postgres work overlap. `add` waits only when two batches are already queued.
 */
export type WriteBatcher = { add(write: FileWrite): Promise<void>; finish(): Promise<void> };

export const createWriteBatcher = (
  db: TranscriptDb,
  onError: (error: unknown, writes: readonly FileWrite[]) => void,
  limits: { rows: number; files: number } = { rows: 20_000, files: 200 },
): WriteBatcher => {
  let pending: FileWrite[] = [];
  let rows = 0;
  let queued = 0;
  let chain: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (pending.length === 0) return chain;
    const batch = pending;
    pending = [];
    rows = 0;
    queued++;
    // A failed batch is reported and skipped; its files keep their old scanned_bytes and are
    // read again by the next scan.
    chain = chain
      .then(() => writeBatch(db, batch))
      .catch((error: unknown) => onError(error, batch))
      .finally(() => {
        queued--;
      });
    return chain;
  };

  return {
    add: async (write) => {
      pending.push(write);
      rows += write.delta.rows.length;
      if (rows < limits.rows && pending.length < limits.files) return;
      const done = flush();
      if (queued > 1) await done;
    },
    finish: () => flush(),
  };
};
