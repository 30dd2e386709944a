/**
 * The event store's own failures: plain errors that know nothing of HTTP. The HTTP layer maps
 * them (src/http/problem.ts) through the one error table.
 */

/** The session moved on since the caller folded it: the command handler re-reads and decides again. */
export class VersionConflictError extends Error {
  override readonly name = "VersionConflictError";
  readonly sessionId: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;

  constructor(sessionId: string, expectedVersion: number, actualVersion: number) {
    super(`session ${sessionId} is at version ${actualVersion}, expected ${expectedVersion}`);
    this.sessionId = sessionId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** Other writers kept moving the session for longer than the command's deadline. */
export class ContentionTimeoutError extends Error {
  override readonly name = "ContentionTimeoutError";
  readonly sessionId: string;
  readonly attempts: number;

  constructor(sessionId: string, attempts: number, deadlineMs: number) {
    super(`session ${sessionId} kept changing for ${deadlineMs} ms (${attempts} attempts); try again`);
    this.sessionId = sessionId;
    this.attempts = attempts;
  }
}
