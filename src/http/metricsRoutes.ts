import type { FastifyInstance } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Config } from "../config.ts";
import type { Metrics } from "../infra/metrics.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

/** Times every answered request by route as registered (not the raw URL, whose ids would be unbounded labels). */
export const timeRequests = (app: FastifyInstance, metrics: Metrics) => {
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
};

/**
 * `GET /metrics` in the Prometheus text format, for an admin token: process metrics, request
 * durations and the `ccm_*` families. A scraper without a token uses METRICS_PORT instead.
 */
export const metricsRoutes: FastifyPluginAsyncZod<{ metrics: Metrics; config: Readonly<Config> }> = async (app, { metrics, config }) => {
  app.get("/metrics", {
    schema: { tags: ["probes"], security: [{ bearerAuth: [] }], response: { 200: z.string().describe("Prometheus text format"), ...S.commonErrors, 403: S.ProblemBody } },
    config: { access: "admin", ...limitFor(config, "reads") },
  }, async (_request, reply) =>
    // The text goes out as it is, not as a JSON string.
    reply.type(metrics.registry.contentType).serializer(String).send(await metrics.registry.metrics()));
};
