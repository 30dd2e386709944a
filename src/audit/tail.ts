import { envelopeOfRaw } from "../eventStore/entryCodec.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import { formatPosition } from "../eventStore/position.ts";
import type { AuditEvent } from "./eventsQuery.ts";

/** How long one blocking read waits; also how soon an abort is noticed. */
const BLOCK_MS = 1000;

/**
 * Live events as they are appended (from now on), from every partition log or only the one
 * of `sessionId`. `onReady` is called once the starting point is fixed. Ends when `signal`
 * aborts.
 */
export async function* tailEvents(
  store: EventStore,
  options: { sessionId?: string; signal?: AbortSignal; onReady?: () => void } = {},
): AsyncGenerator<AuditEvent> {
  const partitions = options.sessionId === undefined ? undefined : [store.partitionFor(options.sessionId)];
  const tail = await store.openTail({ blockMs: BLOCK_MS, ...(partitions ? { partitions } : {}) });
  try {
    // From here on nothing appended is missed.
    options.onReady?.();
    while (!options.signal?.aborted) {
      for (const entry of await tail.read()) {
        if (options.sessionId !== undefined && entry.sessionId !== options.sessionId) continue;
        yield { position: formatPosition(entry.partition, entry.entryId), ...envelopeOfRaw(entry) };
      }
    }
  } finally {
    tail.close();
  }
}
