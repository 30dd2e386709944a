import type { Kysely, Transaction } from "kysely";

/**
 * The history tables are read and written through their own queries (historyQueries.ts,
 * indexStore.ts), and callers hand us the app's database untyped for them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HistoryDb = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HistoryTrx = Transaction<any>;
