import { randomUUID } from "node:crypto";
import cors from "@fastify/cors";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { adminRoutes } from "./adminRoutes.ts";
import { auditRoutes } from "./auditRoutes.ts";
import { registerAuth } from "./auth.ts";
import { createAuthenticator } from "./authenticator.ts";
import type { AppDeps } from "./deps.ts";
import { registerOpenApi } from "./openapi.ts";
import { guardInput } from "./inputGuard.ts";
import { createNotFoundHandler } from "./notFound.ts";
import { problemErrorHandler } from "./problem.ts";
import { answerUnservedRequests, clientErrorHandler, closeUnupgradedSocket, frameworkErrorHandler, requireHost } from "./protocolErrors.ts";
import { historyRoutes } from "./historyRoutes.ts";
import { liveRoutes } from "./liveRoutes.ts";
import { machineRoutes } from "./machineRoutes.ts";
import { messageRoutes } from "./messageRoutes.ts";
import { permissionRoutes } from "./permissionRoutes.ts";
import { probeRoutes } from "./probeRoutes.ts";
import { repositoryRoutes } from "./repositoryRoutes.ts";
import { promptRoutes } from "./promptRoutes.ts";
import { pushRoutes } from "./pushRoutes.ts";
import { registerRateLimit } from "./rateLimit.ts";
import { metricsRoutes, timeRequests } from "./metricsRoutes.ts";
import { sessionRoutes } from "./sessionRoutes.ts";
import { toolRoutes } from "./toolRoutes.ts";
import { createWindowCounter } from "./windowCounter.ts";

export type { AppDeps } from "./deps.ts";

/** How often Node checks for requests past their timeout: often enough that a timeout is kept to about a quarter of itself. */
const timeoutCheckEvery = (timeoutMs: number) => Math.min(30_000, Math.max(250, Math.floor(timeoutMs / 4)));

/** Fastify's options: request ids, limits, and problem answers for what the router and Node refuse. */
const createServer = (deps: AppDeps) =>
  Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 500 },
    // Bad percent-encoding and over-long parameters are refused by the router: as problems too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler: clientErrorHandler(deps.logger as FastifyBaseLogger),
    // Bounds how long a request's headers and body may take to arrive (a slow or truncated
    // body would otherwise hold its socket); answered 408 through clientErrorHandler. Given to
    // http.createServer too: Fastify assigns requestTimeout after creation, which leaves Node's
    // 60 s headersTimeout above it, and then a stalled body is not cut at requestTimeout.
    requestTimeout: deps.config.REQUEST_TIMEOUT_MS,
    http: {
      requestTimeout: deps.config.REQUEST_TIMEOUT_MS,
      headersTimeout: Math.min(60_000, deps.config.REQUEST_TIMEOUT_MS),
      connectionsCheckingInterval: timeoutCheckEvery(deps.config.REQUEST_TIMEOUT_MS),
      // Checked by requireHost instead, whose refusal is a problem.
      requireHostHeader: false,
    },
  });

/**
 * What every request goes through before its route: the request id on the answer, Host, the
 * bearer token (failures counted per address), the input guard, and 404/405 for no route.
 * Returns the counters the rate limits share.
 */
const registerRequestHooks = (app: FastifyInstance, deps: AppDeps) => {
  answerUnservedRequests(app.server);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", closeUnupgradedSocket);
  if (deps.metrics) timeRequests(app, deps.metrics);
  app.addHook("onRequest", requireHost);
  const counter = createWindowCounter({ redis: deps.redis, prefix: deps.config.REDIS_KEY_PREFIX });
  const authenticate = createAuthenticator({
    tokens: deps.tokens, counter, maxFailures: deps.config.RATE_LIMIT_AUTH_FAILURES, windowMs: deps.config.RATE_LIMIT_WINDOW_MS,
  });
  registerAuth(app, authenticate);
  app.setNotFoundHandler(createNotFoundHandler(app.routeAccess));
  app.addHook("preValidation", guardInput);
  return { counter, authenticate };
};

/**
 * CORS for the browser origins in CORS_ORIGINS (none by default: then no CORS at all). Runs
 * first, so a preflight is answered before authentication (it carries no token); an origin not
 * listed gets no Access-Control-Allow-Origin. Tokens travel in headers, never cookies.
 */
const registerCors = async (app: FastifyInstance, origins: readonly string[]) => {
  if (origins.length === 0) return;
  await app.register(cors, {
    origin: [...origins],
    methods: ["GET", "HEAD", "POST", "PATCH", "DELETE"],
    allowedHeaders: ["authorization", "content-type", "idempotency-key", "last-event-id", "x-min-position", "x-correlation-id", "x-request-id"],
    exposedHeaders: ["x-request-id", "retry-after", "x-read-fresh", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"],
    maxAge: 600,
  });
};

/** The HTTP application; tests drive it with `inject()`, only main.ts listens. */
export const buildApp = async (deps: AppDeps): Promise<FastifyInstance> => {
  const app = createServer(deps);
  await registerCors(app, deps.config.CORS_ORIGINS);
  const { counter, authenticate } = registerRequestHooks(app, deps);
  await registerRateLimit(app, { counter, limits: deps.config });
  await registerOpenApi(app, deps.version);
  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(probeRoutes, deps);
  await typed.register(sessionRoutes, deps);
  await typed.register(machineRoutes, deps);
  await typed.register(repositoryRoutes, deps);
  await typed.register(promptRoutes, deps);
  await typed.register(messageRoutes, deps);
  await typed.register(permissionRoutes, deps);
  await typed.register(auditRoutes, deps);
  if (deps.push) await typed.register(pushRoutes, { ...deps, push: deps.push });
  if (deps.metrics) await typed.register(metricsRoutes, { metrics: deps.metrics, config: deps.config });
  if (deps.tokenAdmin) {
    await typed.register(adminRoutes, { tokens: deps.tokenAdmin, config: deps.config });
    await typed.register(toolRoutes, { tokens: deps.tokenAdmin, config: deps.config, store: deps.store, db: deps.db });
  }
  if (deps.history) await typed.register(historyRoutes, { history: deps.history, limits: deps.config, reads: deps.reads });
  if (deps.live) {
    await typed.register(liveRoutes, {
      store: deps.store,
      commands: deps.commands,
      working: deps.working,
      hub: deps.live.hub,
      logger: deps.logger,
      rateLimits: deps.config,
      authenticate,
      stillValid: async (token: string) => (await deps.tokens.verify(token)) !== null,
      ...(deps.live.readArchive ? { readArchive: deps.live.readArchive } : {}),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.push ? { presence: deps.push.presence } : {}),
      ...deps.live.tuning,
    });
  }
  return app;
};
