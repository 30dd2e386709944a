import type { FastifyReply, FastifyRequest } from "fastify";
import type { RouteAccessEntry } from "./auth.ts";
import { sendCode } from "./problem.ts";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A route URL as a regular expression over raw paths: `:param` is one segment, `*` the rest. */
const patternOf = (url: string) =>
  new RegExp(`^${url.split("/").map((segment) => (segment.startsWith(":") ? "[^/]+" : segment === "*" ? ".*" : escapeRegExp(segment))).join("/")}$`);

/**
 * The answer when no route matched: 405 with `Allow` when the path exists under other methods,
 * else 404. Reads the route table as registered (`app.routeAccess`), compiled on first use,
 * when every route is known.
 */
export const createNotFoundHandler = (routes: readonly RouteAccessEntry[]) => {
  let compiled: Array<{ method: string; pattern: RegExp }> | undefined;
  const allowedMethods = (path: string) => {
    compiled ??= routes.map((route) => ({ method: route.method, pattern: patternOf(route.url) }));
    return [...new Set(compiled.filter((route) => route.pattern.test(path)).map((route) => route.method))].sort();
  };
  return (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split("?")[0] ?? request.url;
    const allowed = allowedMethods(path);
    // A route that exists for this method but found nothing (a missing /docs file) is a 404.
    if (allowed.length === 0 || allowed.includes(request.method)) return sendCode(reply, request, "not_found", `no route ${request.method} ${path}`);
    reply.header("allow", allowed.join(", "));
    return sendCode(reply, request, "method_not_allowed", `${request.method} is not served on ${path}; it takes ${allowed.join(", ")}`);
  };
};
