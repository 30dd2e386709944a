import { readFileSync, writeFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import createClient from "openapi-fetch";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventDefinitions } from "../../events/registry.ts";
import { listen, startTestService, testAuth } from "../support/service.ts";
import type { paths } from "../support/openapi/api.ts";

/**
 * The OpenAPI document is complete enough to generate a client from, and the client generated
 * from it (openapi-typescript, committed in test/support/openapi/api.ts) drives the running
 * app. `npm run openapi:client` writes the client again after the API changed.
 */
type Operation = { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> };
type Document = { security: unknown[]; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const clientFile = new URL("../support/openapi/api.ts", import.meta.url);
let service: Awaited<ReturnType<typeof startTestService>>;
let url: string;
let document: Document;

beforeAll(async () => {
  service = await startTestService({ roles: ["api", "projector"], config: { READ_WAIT_MS: "5000" } });
  url = (await listen(service.app)).url;
  document = (await (await fetch(`${url}/openapi.json`)).json()) as Document;
});
afterAll(async () => service?.close());

const operations = () => Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("says the security of every operation: a token, except the probes", () => {
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    const open = operations().filter(({ operation }) => operation.security !== undefined && operation.security.length === 0).map(({ path }) => path).sort();
    expect(open).toEqual(["/health", "/live", "/ready"]);
  });

  it("answers every error as application/problem+json", () => {
    const errors = operations().flatMap(({ path, method, operation }) =>
      Object.entries(operation.responses).filter(([status]) => Number(status) >= 400).map(([status, response]) => [`${method} ${path} ${status}`, Object.keys(response.content ?? {})]));
    expect(errors.length).toBeGreaterThan(50);
    expect(errors.filter(([, types]) => JSON.stringify(types) !== JSON.stringify(["application/problem+json"]))).toEqual([]);
  });

  it("names its shapes, and describes the live stream: SSE, the WebSocket, every stored event type", () => {
    const { schemas } = document.components;
    for (const name of ["Session", "Prompt", "Message", "Permission", "Problem", "Activity", "LiveSnapshot", "LiveDelta", "LiveMessage"]) expect(schemas, name).toHaveProperty(name);
    for (const { type } of eventDefinitions()) expect(schemas, type).toHaveProperty(`Event${type}`);
    expect(JSON.stringify(document.paths["/api/claude-code/sessions/{sessionId}"]?.["get"]?.responses["200"])).toContain("#/components/schemas/Session");
    expect(Object.keys(document.paths["/api/claude-code/sessions/{sessionId}/stream"]?.["get"]?.responses["200"]?.content ?? {})).toEqual(["text/event-stream"]);
    expect(document.paths["/api/claude-code/sessions/{sessionId}/ws"]?.["get"]?.responses).toHaveProperty("101");
  });
});

describe("the client generated from it", () => {
  it("is the one committed (npm run openapi:client writes it again)", async () => {
    const generated = `// Generated from the OpenAPI document by openapi-typescript (npm run openapi:client): do not edit.\n${astToString(await openapiTS(document as never))}`;
    if (process.env.UPDATE_OPENAPI_CLIENT === "1") writeFileSync(clientFile, generated);
    expect(readFileSync(clientFile, "utf8")).toBe(generated);
  });

  it("drives the running app: create, prompt, read back, errors as problems", async () => {
    const client = createClient<paths>({ baseUrl: url, headers: testAuth });
    const created = await client.POST("/api/claude-code/sessions", { body: { folderName: "alpha", metadata: { from: "client" } } });
    expect(created.response.status).toBe(201);
    const session = created.data;
    if (!session) throw new Error("no session");
    const sent = await client.POST("/api/claude-code/sessions/{sessionId}/prompts", { params: { path: { sessionId: session.id } }, body: { prompt: "hello from a generated client" } });
    expect(sent.data).toMatchObject({ sessionId: session.id, status: "running", queuePosition: 0 });
    const prompts = await client.GET("/api/claude-code/sessions/{sessionId}/prompts", {
      params: { path: { sessionId: session.id }, query: { minPosition: String(sent.data?.position) } },
    });
    expect(prompts.data?.prompts.map((prompt) => [prompt.prompt, prompt.status])).toEqual([["hello from a generated client", "queued"]]);
    const read = await client.GET("/api/claude-code/sessions/{sessionId}", { params: { path: { sessionId: session.id }, query: {} } });
    expect(read.data).toMatchObject({ id: session.id, metadata: { from: "client" }, activity: null });
    const missing = await client.GET("/api/claude-code/sessions/{sessionId}", { params: { path: { sessionId: "4b8a5c6e-0000-4000-8000-000000000000" }, query: {} } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ code: "session_not_found", status: 404 });
  });
});
