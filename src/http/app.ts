import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { Database } from "../infra/database.ts";
import { problemErrorHandler, sendProblem } from "./problem.ts";
import { probeRoutes } from "./probeRoutes.ts";

export interface AppDeps {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly db: Database;
  readonly store: EventStore;
  readonly version: string;
}

/** The HTTP application; tests drive it with `inject()`, only main.ts listens. */
export const buildApp = async (deps: AppDeps): Promise<FastifyInstance> => {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 500 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, 404, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`));
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  await app.withTypeProvider<ZodTypeProvider>().register(probeRoutes, deps);
  return app;
};
