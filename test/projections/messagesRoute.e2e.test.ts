import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sessionDecider } from "../../commands/session/index.ts";
import { allProjections } from "../../projections/index.ts";
import { createTokenStore } from "../../src/auth/tokens.ts";
import { parseConfig } from "../../src/config.ts";
import { createCachedCommandHandler } from "../../src/eventStore/cachedCommandHandler.ts";
import { buildApp } from "../../src/http/app.ts";
import { createProjector, type Projector } from "../../src/projector/projector.ts";
import { createSessionReads } from "../../src/readModels/sessionReads.ts";
import { createTestDatabase } from "../support/postgres.ts";
import { createTestStore } from "../support/redis.ts";
import { silent } from "./support.ts";

const TOKEN = "projection-test-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
let app: FastifyInstance;
let projector: Projector;
const closers: (() => Promise<void>)[] = [];

/** The real HTTP app with the read models behind it and the projector running in-process. */
beforeAll(async () => {
  const { store, redis, prefix, close } = await createTestStore(4);
  const database = await createTestDatabase();
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), "ccm-proj-")));
  mkdirSync(join(scratch, "repos", "alpha"), { recursive: true });
  closers.push(close, database.close, async () => rmSync(scratch, { recursive: true, force: true }));
  const config = parseConfig({ GITHUB_REPOS_DIRECTORY: join(scratch, "repos"), DATA_DIR: join(scratch, "data"), REDIS_KEY_PREFIX: prefix, API_TOKEN: TOKEN, LOG_LEVEL: "silent" });
  projector = createProjector({ store, db: database.db, projections: allProjections, logger: silent, blockMs: 100 });
  await projector.start();
  closers.unshift(() => projector.stop());
  const deps = {
    config, logger: silent, redis, db: database.db, store, version: "test",
    reads: createSessionReads({ db: database.db, projections: projector.projections, projector }),
    commands: createCachedCommandHandler(store, sessionDecider),
    tokens: createTokenStore({ redis, prefix, staticTokens: [{ name: "tester", token: TOKEN }] }),
  };
  app = await buildApp(deps);
  await app.ready();
  closers.unshift(() => app.close());
});
afterAll(async () => {
  for (const close of closers) await close();
});

it("create, prompt, then read at once with minPosition: fresh session, prompt and message", async () => {
  const created = await app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: auth, payload: { folderName: "alpha" } });
  expect(created.statusCode).toBe(201);
  const sessionId = created.json().id as string;
  const prompted = await app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}/prompts`, headers: auth, payload: { prompt: "add a README" } });
  expect(prompted.statusCode).toBeLessThan(300);
  const { position, promptId } = prompted.json() as { position: string; promptId: string };

  const messages = await app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/messages?minPosition=${position}`, headers: auth });
  expect(messages.statusCode).toBe(200);
  expect(messages.headers["x-read-fresh"]).toBe("true");
  expect(messages.json()).toMatchObject({ messages: [{ seq: 1, type: "user", text: "add a README", promptId }], hasMore: false, nextCursor: null });

  const session = await app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}`, headers: { ...auth, "x-min-position": position } });
  expect(session.headers["x-read-fresh"]).toBe("true");
  expect(session.json()).toMatchObject({ id: sessionId, status: "active" });
  const prompts = await app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/prompts?minPosition=${position}`, headers: auth });
  expect(prompts.statusCode).toBe(200);
  expect(JSON.stringify(prompts.json())).toContain(promptId);
});

it("pages messages by sequence and answers 404 for an unknown session", async () => {
  const created = await app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: auth, payload: { folderName: "alpha" } });
  const sessionId = created.json().id as string;
  let position = "";
  for (const prompt of ["one", "two", "three"]) {
    position = (await app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}/prompts`, headers: auth, payload: { prompt } })).json().position;
  }
  const page = (query: string) => app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/messages?minPosition=${position}&${query}`, headers: auth }).then((r) => r.json());
  expect(await page("limit=2")).toMatchObject({ messages: [{ text: "three" }, { text: "two" }], hasMore: true, nextCursor: 2 });
  expect(await page("limit=2&before=2")).toMatchObject({ messages: [{ text: "one" }], hasMore: false });
  expect(await page("limit=5&after=1")).toMatchObject({ messages: [{ text: "two" }, { text: "three" }], hasMore: false });
  const missing = await app.inject({ method: "GET", url: "/api/claude-code/sessions/4b8a5c6e-0000-4000-8000-000000000000/messages", headers: auth });
  expect(missing.statusCode).toBe(404);
  const bad = await app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}/messages?before=2&after=1`, headers: auth });
  expect(bad.statusCode).toBe(400);
});
