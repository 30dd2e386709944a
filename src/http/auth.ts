import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EventMeta } from "../../events/envelope.ts";
import type { TokenVerifier } from "../auth/tokens.ts";
import { AppError } from "../errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The name of the token that authorised the request: the actor of its events. */
    actor: string;
  }
  interface FastifyContextConfig {
    /** Served without a token (probes, API docs). */
    public?: boolean;
  }
}

const BEARER = /^Bearer[ \t]+([\x21-\x7e]{1,256})[ \t]*$/i;
const CORRELATION_ID = /^[\w.:-]{1,128}$/;

// The API description is no secret: it is the same for every deployment, so the docs are public.
const isPublic = (request: FastifyRequest) =>
  request.routeOptions.config?.public === true || (request.routeOptions.url ?? "").startsWith("/docs");

const unauthorised = (message: string) => AppError.of("unauthorised", message);

/**
 * Bearer tokens on every route but the public ones. Runs first (onRequest), so rate limits
 * and handlers always know the actor.
 */
export const registerAuth = (app: FastifyInstance, tokens: TokenVerifier) => {
  app.decorateRequest("actor", "");
  app.addHook("onRequest", async (request, reply) => {
    if (isPublic(request)) return;
    const header = request.headers.authorization;
    const match = typeof header === "string" ? BEARER.exec(header) : null;
    reply.header("www-authenticate", 'Bearer realm="claude-code-mobile"');
    if (!match?.[1]) throw unauthorised("send Authorization: Bearer <token>");
    const identity = await tokens.verify(match[1]);
    if (!identity) throw unauthorised("the token is not valid (unknown or revoked)");
    reply.removeHeader("www-authenticate");
    request.actor = identity.name;
  });
};

/** Event metadata for a command caused by this request. */
export const commandMeta = (request: FastifyRequest): EventMeta => {
  const given = request.headers["x-correlation-id"];
  const correlationId = typeof given === "string" && CORRELATION_ID.test(given) ? given : String(request.id);
  return { actor: request.actor, correlationId, causationId: null, requestId: String(request.id) };
};
