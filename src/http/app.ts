import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { adminRoutes } from "./adminRoutes.ts";
import { auditRoutes } from "./auditRoutes.ts";
import { registerAuth } from "./auth.ts";
import { createAuthenticator } from "./authenticator.ts";
import type { AppDeps } from "./deps.ts";
import { registerOpenApi } from "./openapi.ts";
import { problemErrorHandler, sendCode } from "./problem.ts";
import { historyRoutes } from "./historyRoutes.ts";
import { liveRoutes } from "./liveRoutes.ts";
import { messageRoutes } from "./messageRoutes.ts";
import { probeRoutes } from "./probeRoutes.ts";
import { promptRoutes } from "./promptRoutes.ts";
import { registerRateLimit } from "./rateLimit.ts";
import { sessionRoutes } from "./sessionRoutes.ts";
import { createWindowCounter } from "./windowCounter.ts";

export type { AppDeps } from "./deps.ts";

/** The HTTP application; tests drive it with `inject()`, only main.ts listens. */
export const buildApp = async (deps: AppDeps): Promise<FastifyInstance> => {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 500 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) => sendCode(reply, request, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`));
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  const counter = createWindowCounter({ redis: deps.redis, prefix: deps.config.REDIS_KEY_PREFIX });
  const authenticate = createAuthenticator({
    tokens: deps.tokens, counter, maxFailures: deps.config.RATE_LIMIT_AUTH_FAILURES, windowMs: deps.config.RATE_LIMIT_WINDOW_MS,
  });
  registerAuth(app, authenticate);
  await registerRateLimit(app, { counter, limits: deps.config });
  await registerOpenApi(app, deps.version);
  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(probeRoutes, deps);
  await typed.register(sessionRoutes, deps);
  await typed.register(promptRoutes, deps);
  await typed.register(messageRoutes, deps);
  await typed.register(auditRoutes, deps);
  if (deps.tokenAdmin) await typed.register(adminRoutes, { tokens: deps.tokenAdmin, config: deps.config });
  if (deps.history) await typed.register(historyRoutes, { history: deps.history, limits: deps.config });
  if (deps.live) {
    await typed.register(liveRoutes, {
      store: deps.store,
      commands: deps.commands,
      hub: deps.live.hub,
      logger: deps.logger,
      rateLimits: deps.config,
      authenticate,
      ...(deps.live.readArchive ? { readArchive: deps.live.readArchive } : {}),
      ...deps.live.tuning,
    });
  }
  return app;
};
