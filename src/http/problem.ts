import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { isDomainError } from "../../commands/errors.ts";
import { AppError, ReadModelUnavailableError, allErrorCodes, type AnyErrorCode } from "../errors.ts";
import { ContentionTimeoutError } from "../eventStore/errors.ts";
import { WritesRefusedError } from "../eventStore/writeGuard.ts";
import { isDatabaseUnavailable, isRedisUnavailable } from "../infra/outages.ts";

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly instance?: string;
  readonly requestId: string;
  readonly errors?: unknown;
}

const titles: Record<number, string> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  406: "Not Acceptable", 408: "Request Timeout", 409: "Conflict", 410: "Gone", 412: "Precondition Failed",
  413: "Payload Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 417: "Expectation Failed",
  422: "Unprocessable Content", 426: "Upgrade Required", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
  500: "Internal Server Error", 503: "Service Unavailable",
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Fastify's own error codes mapped onto ours. */
const fastifyCodes: Record<string, AnyErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "bad_request",
  FST_ERR_CTP_EMPTY_JSON_BODY: "validation_failed",
  FST_ERR_CTP_INVALID_JSON_BODY: "validation_failed",
  FST_ERR_VALIDATION: "validation_failed",
};

/** The body of every error answer; also written on raw sockets, where no reply exists. */
export const problemOf = (status: number, code: string, at: { requestId: string; url?: string }, detail?: string, extra?: Record<string, unknown>): Problem => ({
  type: `https://claude-code-mobile.dev/problems/${code}`,
  title: titles[status] ?? "Error",
  status,
  code,
  ...(detail ? { detail } : {}),
  ...(at.url === undefined ? {} : { instance: at.url.split("?")[0] ?? at.url }),
  requestId: at.requestId,
  ...extra,
});

export const sendProblem = (reply: FastifyReply, request: FastifyRequest, status: number, code: string, detail?: string, extra?: Record<string, unknown>) =>
  reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemOf(status, code, { requestId: String(request.id), url: request.url }, detail, extra));

/** Sends one of the table's codes with the status the table gives it. */
export const sendCode = (reply: FastifyReply, request: FastifyRequest, code: AnyErrorCode, detail?: string, extra?: Record<string, unknown>) =>
  sendProblem(reply, request, allErrorCodes[code], code, detail, extra);

const isClientAppError = (error: unknown): error is AppError =>
  error instanceof AppError && error.statusCode >= 400 && error.statusCode < 500;

/** A dependency that is away, or contention: 503 with Retry-After (seconds), never a 500. */
const outageOf = (error: unknown): { code: AnyErrorCode; retryAfter: number; detail: string } | null => {
  if (error instanceof ContentionTimeoutError) return { code: "contention_timeout", retryAfter: 1, detail: error.message };
  if (error instanceof WritesRefusedError) return { code: error.code, retryAfter: 10, detail: error.message };
  if (isRedisUnavailable(error)) return { code: "store_unavailable", retryAfter: 2, detail: "the event store (Redis) is unreachable; retry shortly" };
  if (error instanceof ReadModelUnavailableError) return { code: "read_model_unavailable", retryAfter: 5, detail: error.message };
  if (isDatabaseUnavailable(error)) return { code: "read_model_unavailable", retryAfter: 5, detail: "the read models (Postgres) are unreachable; commands still work, retry reads shortly" };
  return null;
};

/** The one place where thrown errors become HTTP answers. 5xx bodies hide internals. */
export const problemErrorHandler = (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((issue) => ({ path: issue.instancePath, message: issue.message }));
    return sendCode(reply, request, "validation_failed", "the request does not match the schema", { errors });
  }
  if (isDomainError(error)) {
    return sendCode(reply, request, error.code, error.message, Object.keys(error.details).length > 0 ? { details: error.details } : undefined);
  }
  const outage = outageOf(error);
  if (outage) {
    reply.header("retry-after", String(outage.retryAfter));
    return sendCode(reply, request, outage.code, outage.detail);
  }
  if (isClientAppError(error)) {
    return sendProblem(reply, request, error.statusCode, error.code, error.message, error.details ? { details: error.details } : undefined);
  }
  const known = fastifyCodes[(error as FastifyError).code ?? ""];
  if (known) return sendCode(reply, request, known, error.message);
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    return sendProblem(reply, request, status, status === 429 ? "rate_limited" : "bad_request", error.message);
  }
  request.log.error({ err: error }, "request failed");
  return sendCode(reply, request, "internal_error", "something went wrong; quote the requestId when reporting it");
};
