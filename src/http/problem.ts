import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError, errorCodes } from "../errors.ts";

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
  406: "Not Acceptable", 409: "Conflict", 412: "Precondition Failed", 413: "Payload Too Large", 415: "Unsupported Media Type",
  422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
};

/** Fastify's own error codes mapped onto ours. */
const fastifyCodes: Record<string, { code: string; status: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: "payload_too_large", status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: "unsupported_media_type", status: 415 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "validation_failed", status: 400 },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: "validation_failed", status: 400 },
  FST_ERR_VALIDATION: { code: "validation_failed", status: 400 },
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

/** The one place where thrown errors become HTTP answers. 5xx bodies hide internals. */
export const problemErrorHandler = (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((issue) => ({ path: issue.instancePath, message: issue.message }));
    return sendProblem(reply, request, 400, "validation_failed", "the request does not match the schema", { errors });
  }
  if (error instanceof AppError || (typeof (error as { code?: unknown }).code === "string" && typeof (error as { statusCode?: unknown }).statusCode === "number" && !(error as FastifyError).code?.startsWith("FST_"))) {
    const appError = error as AppError;
    if (appError.statusCode < 500) return sendProblem(reply, request, appError.statusCode, appError.code, appError.message, appError.details ? { details: appError.details } : undefined);
  }
  const known = fastifyCodes[(error as FastifyError).code ?? ""];
  if (known) return sendProblem(reply, request, known.status, known.code, error.message);
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    return sendProblem(reply, request, status, status === 429 ? "rate_limited" : "bad_request", error.message);
  }
  request.log.error({ err: error }, "request failed");
  return sendProblem(reply, request, errorCodes.internal_error, "internal_error", "something went wrong; quote the requestId when reporting it");
};
