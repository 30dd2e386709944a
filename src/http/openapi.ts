import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";
import { Activity, ContentBlocks, Message } from "../../projections/sessions/views.ts";
import { liveComponents, LiveSnapshot } from "./liveSchemas.ts";
import * as S from "./schemas.ts";

/**
 * OpenAPI 3.1 generated from the routes' zod schemas, complete enough to generate a client
 * from: the shapes a client meets are named components, every operation says its security
 * (bearer by default; the probes and this document are public), errors are
 * `application/problem+json`, and the live stream (SSE and WebSocket) describes its frames,
 * every stored event type among them. Register before the routes (it collects them as they
 * are added). `/openapi.json` and `/docs` are public: they describe the API, and hold no data.
 */
const named: Record<string, z.ZodType> = {
  Session: S.Session, SessionWritten: S.SessionWritten, SessionList: S.SessionList, SessionDeleted: S.SessionDeleted,
  Prompt: S.Prompt, PromptList: S.PromptList, PromptAccepted: S.PromptAccepted, PromptCancelled: S.PromptCancelled,
  Message, ContentBlocks, Activity,
  Permission: S.Permission, PermissionList: S.PermissionList, PermissionDecided: S.PermissionDecided,
  Machine: S.Machine, MachineList: S.MachineList, MachineRepositories: S.MachineRepositories,
  Problem: S.ProblemBody,
};

const registryOf = () => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  return registry;
};

type Operation = { responses?: Record<string, { description?: string; content?: Record<string, unknown> }>; security?: unknown[] };
type Document = { paths?: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, unknown> } };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Errors are problem documents, whatever the route declared. */
const problemContent = (operation: Operation) => {
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (Number(status) < 400 || response.content === undefined) continue;
    response.content = { "application/problem+json": { schema: ref("Problem") } };
  }
};

const STREAM = "/api/claude-code/sessions/{sessionId}/stream";
const SOCKET = "/api/claude-code/sessions/{sessionId}/ws";

/** What zod cannot say: the frames of the live stream. */
const describeLive = (paths: NonNullable<Document["paths"]>) => {
  const stream = paths[STREAM]?.["get"];
  if (stream) {
    stream.responses = {
      ...stream.responses,
      200: {
        description: "Server-Sent Events: `event: snapshot` first, then stored events (plain messages with `id: 0-<version>`), `event: delta` typing deltas, `event: error` before the stream ends",
        content: { "text/event-stream": { schema: { oneOf: [ref("LiveSnapshot"), ref("LiveEvent"), ref("LiveDelta"), ref("LiveError")] } } },
      },
    };
  }
  const socket = paths[SOCKET]?.["get"];
  if (socket) {
    socket.responses = {
      101: { description: "Switching Protocols: the same stream as JSON messages (LiveMessage); the client may send {\"after\": id, \"token\"?}", content: { "application/json": { schema: ref("LiveMessage") } } },
      426: { description: "A plain GET: this route speaks WebSocket only", content: { "application/problem+json": { schema: ref("Problem") } } },
    };
  }
};

const finish = (document: Document): Document => {
  const paths = document.paths ?? {};
  for (const operations of Object.values(paths)) for (const operation of Object.values(operations)) problemContent(operation);
  describeLive(paths);
  const snapshot = z.toJSONSchema(LiveSnapshot, { target: "draft-2020-12", unrepresentable: "any" }) as Record<string, unknown>;
  delete snapshot["$schema"];
  return { ...document, components: { ...document.components, schemas: { ...document.components?.schemas, ...liveComponents(snapshot) } } };
};

export const registerOpenApi = async (app: FastifyInstance, version: string) => {
  const schemaRegistry = registryOf();
  const toObject = createJsonSchemaTransformObject({ schemaRegistry });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Claude Code Mobile backend", version, description: "Sessions, prompts, approvals and their state; the live stream. Errors are application/problem+json with a stable `code`." },
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
      // Every operation needs a token unless it says `security: []` (the probes).
      security: [{ bearerAuth: [] }],
    },
    transform: createJsonSchemaTransform({ schemaRegistry }),
    transformObject: (document) => finish(toObject(document) as Document) as ReturnType<typeof toObject>,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
};
