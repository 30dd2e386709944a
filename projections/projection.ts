import type { Kysely } from "kysely";
import type { Envelope } from "../events/envelope.ts";
import type { DecodedEvent, EventType, KnownEvent } from "../events/registry.ts";
import type { ReadModels } from "./tables.ts";

/**
 * The database a handler writes through (the projector may point it at a shadow schema with
 * the same tables during a rebuild).
 */
export type ReadModelDb = Kysely<ReadModels>;

/** One event as a projection sees it: its place in the partition log, raw and decoded. */
export interface ProjectedEvent<E extends DecodedEvent = KnownEvent> {
  readonly partition: number;
  readonly entryId: string;
  /** The envelope exactly as stored (for archives and hashes). */
  readonly envelope: Envelope;
  readonly event: E;
}

/**
 * A projection is data plus a handler: the generic projector reads the logs, keeps only the
 * declared event types, and calls `handle` inside the transaction that also writes the
 * checkpoint. `handle` must touch only `tables` through `db` (the projector may point `db` at a
 * shadow schema during a rebuild), never keep state between calls, and treat a batch of
 * several events exactly like the same events in several batches.
 */
export type Projection = TypedProjection | ArchiveLikeProjection;

interface ProjectionBase {
  readonly name: string;
  /** Tables the projection owns, parents before children (foreign keys point backwards). */
  readonly tables: readonly string[];
}

export interface TypedProjection extends ProjectionBase {
  readonly handles: readonly EventType[];
  readonly handle: (events: readonly ProjectedEvent[], db: ReadModelDb) => Promise<void>;
}

/** Sees every event, including types and shapes this build cannot decode (they are surfaced). */
export interface ArchiveLikeProjection extends ProjectionBase {
  readonly handles: "all";
  readonly handle: (events: readonly ProjectedEvent<DecodedEvent>[], db: ReadModelDb) => Promise<void>;
}
