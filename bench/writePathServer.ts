import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import pg from "pg";
import { EnqueuePromptBody, SessionParams } from "../src/http/schemas.ts";
import { startBenchService } from "./benchService.ts";
import { postgresUrl } from "./fixtures.ts";

/**
 * The server side of `bench/writePath.ts`, in its own process: the real service (api and
 * projector roles through the composition root, Redis with a random prefix, its own Postgres
 * schema, a pool of 10 as in production) and beside it the naive route a user would write
 * instead: Fastify validating the same params and body with the same zod schemas, then one
 * `INSERT` into Postgres over its own pool of 10. Prints one JSON line (ports, token, prefix,
 * schema); cleans up and exits on SIGTERM.
 */
const service = await startBenchService("writepath", 10);
const { app, token, prefix, schema } = service;

const naivePool = new pg.Pool({ connectionString: postgresUrl, max: 10, options: `-c search_path=${schema}` });
await naivePool.query(`CREATE TABLE naive_prompts (
  prompt_id uuid PRIMARY KEY, session_id uuid NOT NULL, prompt text NOT NULL, delivery_mode text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now())`);
const naive = Fastify().withTypeProvider<ZodTypeProvider>();
naive.setValidatorCompiler(validatorCompiler);
naive.setSerializerCompiler(serializerCompiler);
naive.post("/api/claude-code/sessions/:sessionId/prompts", { schema: { params: SessionParams, body: EnqueuePromptBody } }, async (request, reply) => {
  const promptId = randomUUID();
  await naivePool.query(
    "INSERT INTO naive_prompts (prompt_id, session_id, prompt, delivery_mode) VALUES ($1, $2, $3, $4)",
    [promptId, request.params.sessionId, request.body.prompt, request.body.deliveryMode],
  );
  return reply.code(202).send({ promptId, sessionId: request.params.sessionId, status: "queued" });
});

await app.listen({ host: "127.0.0.1", port: 0 });
await naive.listen({ host: "127.0.0.1", port: 0 });
const portOf = (server: { server: FastifyInstance["server"] }) => (server.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ appPort: portOf(app), naivePort: portOf(naive), token, prefix, schema })}\n`);

process.once("SIGTERM", async () => {
  await naive.close();
  await naivePool.end();
  await service.stop();
  process.exit(0);
});
