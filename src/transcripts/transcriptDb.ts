import type { Kysely, Transaction } from "kysely";

/**
 * The transcript index tables (history_*) are read and written through their own queries (transcriptQueries.ts,
 * indexStore.ts), and callers hand us the app's database untyped for them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TranscriptDb = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TranscriptTrx = Transaction<any>;
