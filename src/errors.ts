import { domainErrorCodes } from "../commands/errors.ts";

/**
 * Every error a client can see has a stable `code` from this table, mapped to HTTP here and
 * nowhere else. 5xx answers hide internals.
 */
export const errorCodes = {
  /** The request does not match the route's schema, or carries a NUL character in its path, query or body. */
  validation_failed: 400,
  /** Malformed HTTP: bad percent-encoding, a broken request line or header, a bad WebSocket handshake. */
  bad_request: 400,
  /** A project path that is malformed: relative where absolute is needed, empty, a symlink loop (a NUL is refused earlier as validation_failed). */
  invalid_path: 400,
  /** A project path that does not exist or is not a folder. */
  path_not_found: 400,
  unauthorised: 401,
  forbidden: 403,
  /** The token is valid but its scope does not cover the route (an auditor sending a command). */
  insufficient_scope: 403,
  /** A project path that resolves (after `..` and symlinks) outside GITHUB_REPOS_DIRECTORY. */
  forbidden_path: 403,
  not_found: 404,
  /** A machine no runner ever registered (GET /api/claude-code/machines lists them). */
  machine_not_found: 404,
  /** Several machines are registered and the api's own host runs none: the session must name one. */
  machine_required: 400,
  /** A push subscription that does not exist, or is not the caller's. */
  push_subscription_not_found: 404,
  /** The path exists but not with this method; `Allow` lists the ones it has. */
  method_not_allowed: 405,
  /** The request (headers and body) did not arrive in time. */
  request_timeout: 408,
  /** A name that must be unique is taken (a token name). */
  already_exists: 409,
  /** A Claude Code session id that is not in the history index. */
  history_session_not_found: 404,
  /** POST /sessions with a claudeSessionId that is not a conversation of that project in the history index. */
  conversation_not_found: 404,
  /** A history file that vanished or now resolves outside the Claude folder. */
  history_file_unavailable: 410,
  /** The indexed transcript was replaced by a FIFO, socket, device or folder: it is never opened for reading. */
  history_file_not_regular: 410,
  history_invalid_session_id: 400,
  idempotency_key_reused: 422,
  payload_too_large: 413,
  prompt_too_long: 413,
  /** A path parameter longer than the router takes (500 characters). */
  uri_too_long: 414,
  unsupported_media_type: 415,
  /** An `Expect` header other than `100-continue`. */
  expectation_failed: 417,
  /** A plain GET on the WebSocket route: it only speaks WebSocket. */
  upgrade_required: 426,
  rate_limited: 429,
  /** The request's headers are larger than the server reads (16 KiB). */
  headers_too_large: 431,
  internal_error: 500,
  unavailable: 503,
  /** Other writers kept changing the session past the command deadline (COMMAND_DEADLINE_MS): retry. */
  contention_timeout: 503,
  /** Postgres is away (or not migrated yet): reads wait for it; commands still work. */
  read_model_unavailable: 503,
  /** Redis is away: nothing can be written or streamed until it is back. */
  store_unavailable: 503,
  /** REDIS_DURABILITY=strict, but Redis does not report appendonly yes / appendfsync always: writes are refused. */
  durability_unavailable: 503,
  /** Redis came back without the deployment marker (its data is gone): writes are refused until `ccm restore`. */
  redis_data_lost: 503,
  /** A runner-only process sees no deployment marker yet: it waits for an api or projector process to create it. */
  deployment_unknown: 503,
} as const;
export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, statusCode: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }

  static of(code: ErrorCode, message: string, details?: Record<string, unknown>): AppError {
    return new AppError(code, errorCodes[code], message, details);
  }
}

/** The read models cannot be queried right now (the database is away or not migrated yet). */
export class ReadModelUnavailableError extends Error {
  override readonly name = "ReadModelUnavailableError";
}

/** Normalises anything thrown into an Error, so handlers never deal with `unknown`. */
export const toError = (thrown: unknown): Error =>
  thrown instanceof Error ? thrown : new Error(typeof thrown === "string" ? thrown : JSON.stringify(thrown));

/**
 * The whole table a client can meet: HTTP codes above plus the deciders' codes. One code,
 * one status, everywhere.
 */
export const allErrorCodes = { ...errorCodes, ...domainErrorCodes } as const;
export type AnyErrorCode = keyof typeof allErrorCodes;
