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
  406: "Not Acceptable", 409: "Conflict", 410: "Gone", 412: "Precondition Failed", 413: "Payload Too Large",
  415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Fastify's own error codes mapped onto ours. */
const fastifyCodes: Record<string, AnyErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "bad_request",
  FST_ERR_CTP_EMPTY_JSON_BODY: "validation_failed",
  FST_ERR_CTP_INVALID_JSON_BODY: "validation_failed",
  FST_ERR_VALIDATION: "validation_failed",
};

export const sendProblem = (reply: FastifyReply, request: FastifyRequest, status: number, code: string, detail?: string, extra?: Record<string, unknown>) =>
  reply
    .code(status)
    .type("application/problem+json")
    .send({
      type: `https://claude-code-mobile.dev/problems/${code}`,
      title: titles[status] ?? "Error",
      status,
      code,
      ...(detail ? { detail } : {}),
      instance: request.url.split("?")[0] ?? request.url,
      requestId: String(request.id),
      ...extra,
    } satisfies Problem);

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
