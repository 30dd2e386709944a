import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";

/**
 * OpenAPI generated from the routes' zod schemas. Register before the routes (it collects
 * them as they are added). `/openapi.json` and `/docs` are public: they describe the API,
 * which is the same for everyone, and hold no data.
 */
export const registerOpenApi = async (app: FastifyInstance, version: string) => {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Claude Code Mobile backend", version, description: "Sessions, prompts and their state. Errors are application/problem+json with a stable `code`." },
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
};
