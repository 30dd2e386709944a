import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { Redis } from "ioredis";
import pg from "pg";
import pino from "pino";
import { parseConfig } from "../src/config.ts";
import { EnqueuePromptBody, SessionParams } from "../src/http/schemas.ts";
import { deleteKeysByPrefix } from "../src/infra/redis.ts";
import { assemble } from "../src/main.ts";
import { openBenchSchema, postgresUrl } from "./fixtures.ts";

/**
 * The server side of `bench/writePath.ts`, in its own process: the real service (api and
 * projector roles through the composition root, Redis with a random prefix, its own Postgres
 * schema, a pool of 10 as in production) and beside it the naive route a user would write
 * instead: Fastify validating the same params and body with the same zod schemas, then one
 * `INSERT` into Postgres over its own pool of 10. Prints one JSON line (ports, token, prefix,
 * schema); cleans up and exits on SIGTERM.
 */
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const token = `bench-${randomUUID()}`;
const prefix = `bench:writepath:${randomUUID().slice(0, 8)}:`;
const scratch = realpathSync(mkdtempSync(join(tmpdir(), "ccm-bench-")));
mkdirSync(join(scratch, "repos", "project"), { recursive: true });

const redis = new Redis(redisUrl, { enableAutoPipelining: true });
const database = await openBenchSchema(10);
const config = parseConfig({
  GITHUB_REPOS_DIRECTORY: join(scratch, "repos"), DATA_DIR: join(scratch, "data"), CLAUDE_CONFIG_DIR: join(scratch, "claude"),
  REDIS_KEY_PREFIX: prefix, API_TOKEN: token, LOG_LEVEL: "silent", PARTITIONS: "8",
  RATE_LIMIT_READS: "100000000", RATE_LIMIT_PROMPTS: "100000000", RATE_LIMIT_WRITES: "100000000",
});
const service = await assemble(config, { redis, db: database.db, logger: pino({ level: "silent" }) }, { roles: ["api", "projector"], version: "bench" });
const app = service.app as FastifyInstance;

const naivePool = new pg.Pool({ connectionString: postgresUrl, max: 10, options: `-c search_path=${database.schema}` });
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
process.stdout.write(`${JSON.stringify({ appPort: portOf(app), naivePort: portOf(naive), token, prefix, schema: database.schema })}\n`);

process.once("SIGTERM", async () => {
  await naive.close();
  await naivePool.end();
  await service.stop();
  await database.close();
  await deleteKeysByPrefix(redis, prefix);
  redis.disconnect();
  rmSync(scratch, { recursive: true, force: true });
  process.exit(0);
});
