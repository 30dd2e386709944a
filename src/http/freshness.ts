import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError, ReadModelUnavailableError } from "../errors.ts";
import { PositionText } from "./schemas.ts";
import type { SessionReads } from "../readModels/sessionReads.ts";

const positionOf = (request: FastifyRequest): string | undefined => {
  const fromQuery = (request.query as { minPosition?: string } | undefined)?.minPosition;
  if (fromQuery !== undefined) return fromQuery;
  const header = request.headers["x-min-position"];
  if (header === undefined) return undefined;
  const parsed = PositionText.safeParse(header);
  if (!parsed.success) throw AppError.of("validation_failed", "X-Min-Position must look like <partition>:<ms>-<seq>");
  return parsed.data;
};

/** Reads need the read models: until they are migrated (the database was away), 503. */
export const requireReadModels = (reads: Pick<SessionReads, "ready">) => {
  if (!reads.ready()) throw new ReadModelUnavailableError("the read models are not available yet (the database is unreachable or still migrating)");
};

/**
 * Read your writes, as a preHandler for every GET: waits (bounded) until the read models have
 * passed `minPosition` and says in X-Read-Fresh whether they did.
 */
export const freshRead = (reads: SessionReads, waitMs: number) => async (request: FastifyRequest, reply: FastifyReply) => {
  requireReadModels(reads);
  const position = positionOf(request);
  const fresh = position === undefined ? true : await reads.waitForPosition(position, waitMs);
  reply.header("x-read-fresh", String(fresh));
};

/** After a command: wait for its own position before reading back what it wrote. */
export const waitForWrite = async (reads: SessionReads, reply: FastifyReply, position: string | null, waitMs: number) => {
  const fresh = position === null ? true : await reads.waitForPosition(position, waitMs);
  reply.header("x-read-fresh", String(fresh));
};
