import { archiveProjection } from "./archive.ts";
import type { Projection } from "./projection.ts";
import { sessionsProjection } from "./sessions/sessionsProjection.ts";

/** Every projection the projector runs, by name. */
export const allProjections: readonly Projection[] = [sessionsProjection, archiveProjection];

export type { Projection, ProjectedEvent, TypedProjection, ArchiveLikeProjection } from "./projection.ts";
export { sessionsProjection, archiveProjection };
