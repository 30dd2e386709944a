/**
 * Every rejection a decider can produce, with the HTTP status it should map to. The HTTP
 * layer merges this table into its own (`src/errors.ts`) so a code means one thing everywhere.
 * Codes are a contract with clients: never rename one, only add.
 */
export const domainErrorCodes = {
  /** No SessionCreated in the stream. */
  session_not_found: 404,
  /** CreateSession on a stream that already holds a session. */
  session_exists: 409,
  /** Any command on a deleted session (including a second DeleteSession). */
  session_deleted: 410,
  /** The promptId was never enqueued in this session. */
  prompt_not_found: 404,
  /** EnqueuePrompt with a promptId this session has already seen (queued, run or cancelled). */
  prompt_exists: 409,
  /** CancelPrompt / StartJob on a prompt that already completed, failed or was cancelled. */
  prompt_already_finished: 409,
  /** StartJob while another job runs: one prompt at a time per session. */
  session_busy: 409,
  /** StartJob for a queued prompt that is not first in line. */
  not_queue_head: 409,
  /** A job command whose jobId is not the running job (wrong id, or nothing runs). */
  job_not_running: 409,
  /** StartJob reusing a jobId this session has already seen. */
  job_exists: 409,
  /** StartJob by a runner of another machine than the session's. */
  wrong_machine: 409,
  /** StartJob with a lease that is not a positive, finite number of milliseconds. */
  invalid_lease: 400,
  /** A permission command for a request this session never saw. */
  permission_not_found: 404,
  /** RequestPermission reusing a requestId of the running job. */
  permission_exists: 409,
  /** DecidePermission contradicting a decision already recorded. */
  permission_already_decided: 409,
  /** DecidePermission for a request that expired or was cancelled (its job ended, or the CLI withdrew it). */
  permission_not_pending: 409,
  /** DecidePermission with answers for a request that is not a question, or a mode for one that is not a plan. */
  permission_answer_invalid: 400,
} as const;

export type DomainErrorCode = keyof typeof domainErrorCodes;

/** A command the decider refuses. Carries a stable code; `details` name the ids involved. */
export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  /** The session version the refusal was decided on: set by the command handler, which knows it. */
  version: number | undefined;

  constructor(code: DomainErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.details = details;
    this.version = undefined;
  }
}

export const isDomainError = (thrown: unknown): thrown is DomainError => thrown instanceof DomainError;
