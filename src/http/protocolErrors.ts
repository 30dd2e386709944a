import { randomUUID } from "node:crypto";
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError, allErrorCodes, type AnyErrorCode } from "../errors.ts";
import { PROBLEM_CONTENT_TYPE, problemErrorHandler, problemOf, sendCode } from "./problem.ts";

/** How long a socket we answered outside Fastify may take to read the answer before it is cut. */
const LINGER_MS = 2000;

/** A problem answer outside Fastify: status, headers (with a fresh x-request-id) and body. */
const rawProblem = (code: AnyErrorCode, detail: string, url?: string) => {
  const status = allErrorCodes[code];
  const requestId = randomUUID();
  const body = JSON.stringify(problemOf(status, code, { requestId, ...(url === undefined ? {} : { url }) }, detail));
  const headers = {
    "content-type": `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    "content-length": String(Buffer.byteLength(body)),
    "x-request-id": requestId,
    connection: "close",
  };
  return { status, headers, body };
};

/**
 * Closes a socket no HTTP parser reads any more. Ends rather than destroys, so the client can
 * read what was written before the close; a client that never closes its side is cut after a
 * short linger.
 */
const closeSoon = (socket: Duplex, last?: string) => {
  socket.end(last);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
};

/** Answers with a problem on a socket no Fastify reply owns, then closes it. */
export const writeRawProblem = (socket: Duplex, code: AnyErrorCode, detail: string, url?: string) => {
  if (socket.destroyed || !socket.writable) return socket.destroy();
  const { status, headers, body } = rawProblem(code, detail, url);
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  closeSoon(socket, `${head.join("\r\n")}\r\n\r\n${body}`);
};

/** Node's parser errors (`clientError`), mapped onto our codes. */
const clientErrorCodes: Record<string, AnyErrorCode> = {
  HPE_HEADER_OVERFLOW: "headers_too_large",
  ERR_HTTP_REQUEST_TIMEOUT: "request_timeout",
  ERR_HTTP_HEADERS_TIMEOUT: "request_timeout",
};

/**
 * Fastify's `clientErrorHandler`: a request Node could not parse (a broken request line,
 * oversized or malformed headers, a body that never came) gets a problem like every other
 * error, not Node's bare JSON.
 */
export const clientErrorHandler = (logger: FastifyBaseLogger) => (error: Error & { code?: string }, socket: Duplex) => {
  // A reset connection has no one to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  // Garbage after a request whose answer has started: another status line would corrupt it
  // (Node's own default makes the same check on this private field, lib/_http_server.js).
  if ((socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) return socket.destroy();
  const code = clientErrorCodes[error.code ?? ""] ?? "bad_request";
  logger.debug({ err: error, code }, "http: client error");
  writeRawProblem(socket, code, code === "bad_request" ? `malformed HTTP request (${error.code ?? "unknown"})` : error.message);
};

const isUpgrade = (request: FastifyRequest) =>
  request.headers.upgrade !== undefined && /(^|,)\s*upgrade\s*(,|$)/i.test(request.headers.connection ?? "");

/**
 * onResponse: an upgrade request that a normal route answered (curl --http2 asks for h2c) came
 * through Node's 'upgrade' event, so no parser reads its socket any more: close it, or a
 * client that sends its next request on it would wait forever.
 */
export const closeUnupgradedSocket = async (request: FastifyRequest) => {
  if (isUpgrade(request)) closeSoon(request.raw.socket);
};

/** The router's own refusals, with a detail that does not echo a 500-character path back. */
const routerErrors: Record<string, { code: AnyErrorCode; detail: string }> = {
  FST_ERR_BAD_URL: { code: "bad_request", detail: "the path has malformed percent-encoding" },
  FST_ERR_MAX_PARAM_LENGTH: { code: "uri_too_long", detail: "a path parameter is longer than 500 characters" },
};

/**
 * Fastify's `frameworkErrors`: runs before any route, so neither the onSend hook (the request
 * id) nor the onResponse hook (closing an upgrade request's socket) runs: both are done here.
 */
export const frameworkErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  reply.header("x-request-id", String(request.id));
  reply.raw.once("finish", () => void closeUnupgradedSocket(request));
  const known = routerErrors[error.code];
  return known ? sendCode(reply, request, known.code, known.detail) : problemErrorHandler(error, request, reply);
};

/**
 * Requests Node answers by itself unless told otherwise: an `Expect` other than
 * `100-continue` (417 with no body) and CONNECT (the socket closed without a word).
 */
export const answerUnservedRequests = (server: Server) => {
  server.on("checkExpectation", (request: IncomingMessage, response: ServerResponse) => {
    const { status, headers, body } = rawProblem("expectation_failed", "only Expect: 100-continue is supported", request.url ?? "/");
    response.writeHead(status, headers);
    response.end(body);
  });
  server.on("connect", (request: IncomingMessage, socket: Duplex) => writeRawProblem(socket, "method_not_allowed", "CONNECT is not served", request.url));
};

/**
 * onRequest: HTTP/1.1 without Host is malformed (RFC 9112 §3.2). Node would answer it by itself
 * with a bare 400 (its requireHostHeader, turned off in app.ts so the answer is a problem).
 */
export const requireHost = async (request: FastifyRequest) => {
  if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) {
    throw AppError.of("bad_request", "an HTTP/1.1 request needs a Host header");
  }
};
