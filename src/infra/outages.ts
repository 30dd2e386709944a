/**
 * Telling "a datastore is away" from "this request is wrong". An outage is answered with 503
 * and Retry-After and waited out by background work; anything else is a bug or a bad request.
 */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** Postgres SQLSTATEs meaning the server is away, stopping, or refusing connections for now. */
const DATABASE_STATES = new Set(["57P01", "57P02", "57P03", "53300", "55000", "08000", "08001", "08003", "08004", "08006"]);
const DATABASE_MESSAGES = ["Connection terminated", "timeout exceeded when trying to connect", "Client has encountered a connection error", "is not currently accepting connections"];

/** What ioredis says when a command could not reach Redis. */
const REDIS_MESSAGES = ["Connection is closed", "Stream isn't writeable", "Reached the max retries per request limit", "LOADING"];

const fieldOf = (error: unknown, name: string): string => {
  const value = error !== null && typeof error === "object" ? (error as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : "";
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Postgres (or the pool) could not be reached or is shutting down. A bare network error counts
 * too: ioredis never surfaces one (it wraps its own), so it can only be the database's.
 */
export const isDatabaseUnavailable = (error: unknown): boolean =>
  NETWORK_CODES.has(fieldOf(error, "code")) || DATABASE_STATES.has(fieldOf(error, "code")) || DATABASE_MESSAGES.some((text) => messageOf(error).includes(text));

/** Redis could not be reached (ioredis gave up on the command, or the connection is closed). */
export const isRedisUnavailable = (error: unknown): boolean =>
  fieldOf(error, "name") === "MaxRetriesPerRequestError" || REDIS_MESSAGES.some((text) => messageOf(error).startsWith(text));
