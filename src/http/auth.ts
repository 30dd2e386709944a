import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EventMeta } from "../../events/envelope.ts";
import type { TokenScope } from "../auth/tokens.ts";
import { AppError } from "../errors.ts";
import { identityOrRefuse, type Authenticate } from "./authenticator.ts";

/**
 * What a route demands of a token. Derived from the route (see `requiredAccess`) unless the
 * route says otherwise in `config.access`.
 */
export type RouteAccess = "read" | "command" | "audit" | "admin";

/** Which accesses each token scope grants: the one scope table of the service. */
export const scopeGrants: Readonly<Record<TokenScope, readonly RouteAccess[]>> = {
  mobile: ["read", "command"],
  auditor: ["read", "audit"],
  admin: ["read", "command", "audit", "admin"],
};

export interface RouteAccessEntry {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess | "public";
}

declare module "fastify" {
  interface FastifyRequest {
    /** The name of the token that authorised the request: the actor of its events. */
    actor: string;
    /** The scope of that token. */
    scope: TokenScope;
  }
  interface FastifyContextConfig {
    /** Served without a token (probes, API docs). */
    public?: boolean;
    /** Overrides the access derived from method and path. */
    access?: RouteAccess;
  }
  interface FastifyInstance {
    /** Every route with the access it demands, as registered: for docs and the scope tests. */
    routeAccess: RouteAccessEntry[];
  }
}

const BEARER = /^Bearer[ \t]+([\x21-\x7e]{1,256})[ \t]*$/i;

/** The token of an `Authorization: Bearer` header, or null when there is none or it is malformed. */
export const bearerToken = (request: FastifyRequest): string | null => {
  const header = request.headers.authorization;
  return (typeof header === "string" ? BEARER.exec(header)?.[1] : undefined) ?? null;
};
const CORRELATION_ID = /^[\w.:-]{1,128}$/;

// The API description is no secret: it is the same for every deployment, so the docs are public.
const isPublicRoute = (url: string, config: { public?: boolean } | undefined) => config?.public === true || url.startsWith("/docs");

/**
 * The access a route demands: /api/admin → admin, /api/audit → audit, GET and HEAD → read,
 * anything else changes state → command.
 */
export const requiredAccess = (method: string, url: string, override?: RouteAccess): RouteAccess => {
  if (override) return override;
  if (url === "/api/admin" || url.startsWith("/api/admin/")) return "admin";
  if (url === "/api/audit" || url.startsWith("/api/audit/")) return "audit";
  return method === "GET" || method === "HEAD" ? "read" : "command";
};

export const scopeAllows = (scope: TokenScope, access: RouteAccess): boolean => scopeGrants[scope].includes(access);

const grantedBy = (access: RouteAccess) =>
  (Object.keys(scopeGrants) as TokenScope[]).filter((scope) => scopeAllows(scope, access)).join(" or ");

/** A valid token outside its scope: refused, and logged (actor and route, never the token). */
const enforceScope = (request: FastifyRequest) => {
  const route = request.routeOptions.url ?? request.url.split("?")[0] ?? request.url;
  const access = requiredAccess(request.method, route, request.routeOptions.config?.access);
  if (scopeAllows(request.scope, access)) return;
  request.log.warn({ actor: request.actor, scope: request.scope, needs: access, method: request.method, route }, "auth: scope violation");
  throw AppError.of("insufficient_scope", `the ${request.scope} token ${request.actor} may not ${request.method} ${route}: it needs ${access} access (a ${grantedBy(access)} token)`, {
    scope: request.scope,
    needs: access,
  });
};

/**
 * Bearer tokens on every route but the public ones, then the token's scope against the
 * route's access, both here and nowhere else. Runs first (onRequest), so rate limits and
 * handlers always know the actor. Failures count against the client's address (see
 * `createAuthenticator`).
 */
export const registerAuth = (app: FastifyInstance, authenticate: Authenticate) => {
  app.decorateRequest("actor", "");
  app.decorateRequest("scope", "mobile");
  const table: RouteAccessEntry[] = [];
  app.decorate("routeAccess", table);
  app.addHook("onRoute", (route) => {
    const config = route.config as { public?: boolean; access?: RouteAccess } | undefined;
    for (const method of [route.method].flat()) {
      table.push({ method, url: route.url, access: isPublicRoute(route.url, config) ? "public" : requiredAccess(method, route.url, config?.access) });
    }
  });
  app.addHook("onRequest", async (request, reply) => {
    if (isPublicRoute(request.routeOptions.url ?? "", request.routeOptions.config)) return;
    const identity = identityOrRefuse(reply, await authenticate(request.ip, bearerToken(request)), request.ip);
    request.actor = identity.name;
    request.scope = identity.scope;
    reply.header("www-authenticate", 'Bearer realm="claude-code-mobile", error="insufficient_scope"');
    enforceScope(request);
    reply.removeHeader("www-authenticate");
  });
};

/** Event metadata for a command caused by this request. */
export const commandMeta = (request: FastifyRequest): EventMeta => {
  const given = request.headers["x-correlation-id"];
  const correlationId = typeof given === "string" && CORRELATION_ID.test(given) ? given : String(request.id);
  return { actor: request.actor, correlationId, causationId: null, requestId: String(request.id) };
};
