import { createHash, randomUUID } from "node:crypto";
import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { DomainError } from "../../commands/errors.ts";
import { canonicalJson } from "../../events/envelope.ts";
import type { EventByType } from "../../events/registry.ts";
import { createdRow, projectInMemory } from "../../projections/sessions/applyEvent.ts";
import type { SessionCommand, UpdateSession } from "../../commands/session/index.ts";
import { optionsProblem } from "../claude/cliOptions.ts";
import { z } from "zod";
import { parseAsOf, sessionAsOf } from "../audit/asOf.ts";
import { claudeDirectoryPath } from "../claude/claudeDirectoryPath.ts";
import { AppError, ReadModelUnavailableError } from "../errors.ts";
import { isDatabaseUnavailable } from "../infra/outages.ts";
import { sessionView, type SessionView } from "../../projections/sessions/views.ts";
import { commandMeta } from "./auth.ts";
import { continueConversation } from "./continueConversation.ts";
import type { AppDeps } from "./deps.ts";
import { freshRead, waitForWrite } from "./freshness.ts";
import type { Machine } from "../machines/machineRegistry.ts";
import { chooseMachine, folderOn, machineSummary } from "./machinePlacement.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

const tags = ["sessions"];
const security = [{ bearerAuth: [] }];
const errors = { ...S.commonErrors, 404: S.ProblemBody };

const notFound = (sessionId: string) => new DomainError("session_not_found", `session ${sessionId} not found`, { sessionId });

const AsOfQuery = S.FreshQuery.extend({
  asOf: z.string().min(1).max(64).optional().describe("The session as it was at a position (<partition>:<ms>-<seq>), an ISO time or a version, folded from its events"),
});

/** The session folded from its events up to `asOf`; X-As-Of-Version names the last one. */
const sessionAt = async (deps: AppDeps, reply: FastifyReply, sessionId: string, text: string) => {
  const asOf = parseAsOf(text);
  if (!asOf) throw AppError.of("validation_failed", "asOf must be a position <partition>:<ms>-<seq>, an ISO 8601 time or a version number");
  const { view, version } = await sessionAsOf(deps, sessionId, asOf);
  if (!view) throw new DomainError("session_not_found", `session ${sessionId} did not exist at ${text}`, { sessionId, version });
  reply.header("x-as-of-version", String(version));
  return view;
};

/** The session as it is right after SessionCreated: no read model needed to answer a create. */
const createdView = (id: string, data: EventByType<"SessionCreated">["data"], at: Date): SessionView =>
  sessionView(createdRow(id, data, at.toISOString(), 1));

/**
 * The session id a create with an Idempotency-Key gets: derived from the token's actor and the
 * key (a UUID in the RFC 9562 v8 layout), so a retry lands on the same session.
 */
const sessionIdFor = (actor: string, key: string): string => {
  const hex = createHash("sha256").update(`${actor}\u0000${key}`).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** Session CRUD. Writes go through the decider; reads through SessionReads; each session shows its machine, live. */
export const sessionRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { config, reads, commands, machines } = deps;
  /** A view with what is live: its machine now, and what its running job is doing. */
  const present = async <V extends SessionView>(view: V, known?: Machine[]): Promise<V> => {
    const now = await deps.working.read(view.id, view.currentJobId).catch(() => null);
    return { ...view, machine: machineSummary(view.machineId, known ?? (await machines.list())), activity: now?.activity ?? null };
  };
  const fresh = freshRead(reads, config.READ_WAIT_MS);
  const byId = "/api/claude-code/sessions/:sessionId";

  /** The session as its events describe it, when the read models cannot say (the database is away). */
  const fromHistory = async (sessionId: string) => {
    const row = projectInMemory(await deps.store.readEvents(sessionId)).sessions.get(sessionId);
    return row ? sessionView(row) : null;
  };

  /** What a command answers: the session read back once projected, or as the command left it while Postgres is away. */
  const readBack = async (sessionId: string, position: string | null, reply: FastifyReply, fallback: () => Promise<SessionView | null>) => {
    try {
      if (!reads.ready()) throw new ReadModelUnavailableError("not migrated yet");
      await waitForWrite(reads, reply, position, config.READ_WAIT_MS);
      return await reads.getSession(sessionId);
    } catch (error) {
      if (!(error instanceof ReadModelUnavailableError) && !isDatabaseUnavailable(error)) throw error;
      reply.header("x-read-fresh", "false");
      return fallback();
    }
  };

  app.post("/api/claude-code/sessions", {
    schema: {
      tags, security, headers: S.IdempotencyHeaders, body: S.CreateSessionBody,
      response: { 201: S.SessionWritten, ...errors, 403: S.ProblemBody, 422: S.ProblemBody },
    },
    config: limitFor(config, "writes"),
  }, async (request, reply) => {
    const { body } = request;
    const machineId = chooseMachine(body.machineId, await machines.list(), config);
    const projectPath = await folderOn(machineId, machines, config, body);
    const idempotencyKey = request.headers["idempotency-key"];
    const meta = commandMeta(request);
    // A retried create (same token, same key) names the same session, so the store sees the repeat.
    const id = idempotencyKey ? sessionIdFor(meta.actor, idempotencyKey) : randomUUID();
    const now = new Date();
    const data = {
      projectPath,
      // Where Claude Code keeps the session's transcripts: on its machine, under that machine's Claude folder.
      claudeDirectoryPath: claudeDirectoryPath(config.CLAUDE_CONFIG_DIR, projectPath),
      context: body.context ?? null,
      metadata: body.metadata ?? {},
      machineId,
      ...(body.claudeSessionId !== undefined ? { claudeSessionId: body.claudeSessionId } : {}),
    };
    const earlier = body.claudeSessionId === undefined ? [] : await continueConversation(deps.history, body.claudeSessionId, projectPath);
    const outcome = await commands.execute(id, [{ type: "CreateSession", data }, ...earlier], { meta, now, ...(idempotencyKey ? { idempotencyKey } : {}) });
    if (!outcome.duplicate) return reply.code(201).send({ ...(await present(createdView(id, data, now))), position: outcome.position });
    const [first] = await deps.store.readEvents(id, 1, 1);
    if (first?.type !== "SessionCreated" || canonicalJson(first.data) !== canonicalJson(data)) {
      throw AppError.of("idempotency_key_reused", "this Idempotency-Key was used for a different request");
    }
    return reply.code(201).send({ ...(await present(createdView(id, data, new Date(first.occurredAt)))), position: outcome.position });
  });

  app.get("/api/claude-code/sessions", {
    schema: { tags, security, querystring: S.ListSessionsQuery, response: { 200: S.SessionList, ...S.commonErrors } },
    config: limitFor(config, "reads"),
    preHandler: fresh,
  }, async (request) => {
    const { status, limit, offset, includeUnlinked } = request.query;
    const page = await reads.listSessions({ ...(status ? { status } : {}), limit, offset, includeUnlinked });
    const known = await machines.list();
    return { ...page, sessions: await Promise.all(page.sessions.map((view) => present(view, known))), limit, offset };
  });

  app.get(byId, {
    schema: { tags, security, params: S.SessionParams, querystring: AsOfQuery, response: { 200: S.Session, ...errors } },
    config: limitFor(config, "reads"),
    preHandler: fresh,
  }, async (request, reply) => {
    if (request.query.asOf !== undefined) return present(await sessionAt(deps, reply, request.params.sessionId, request.query.asOf));
    const session = await reads.getSession(request.params.sessionId);
    if (!session) throw notFound(request.params.sessionId);
    return present(session);
  });

  app.patch(byId, {
    schema: { tags, security, params: S.SessionParams, body: S.UpdateSessionBody, response: { 200: S.SessionWritten, ...errors } },
    config: limitFor(config, "writes"),
  }, async (request, reply) => {
    const { sessionId } = request.params;
    const { context, metadata, status, permissionRules } = request.body;
    const problem = metadata === undefined ? null : optionsProblem(metadata, { allowBypassPermissions: config.RUNNER_ALLOW_BYPASS_PERMISSIONS });
    if (problem !== null) throw AppError.of("validation_failed", problem);
    const data: UpdateSession["data"] = {
      ...(context !== undefined ? { context } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
      ...(status !== undefined ? { status } : {}),
    };
    const changes: SessionCommand[] = [
      ...(Object.keys(data).length > 0 ? [{ type: "UpdateSession", data } as const] : []),
      ...(permissionRules !== undefined ? [{ type: "SetPermissionRules", data: { rules: permissionRules } } as const] : []),
    ];
    const { position } = await commands.execute(sessionId, changes, { meta: commandMeta(request) });
    const session = await readBack(sessionId, position, reply, () => fromHistory(sessionId));
    if (!session) throw notFound(sessionId);
    return { ...(await present(session)), position };
  });

  app.post(`${byId}/reset`, {
    schema: { tags, security, params: S.SessionParams, response: { 200: S.SessionWritten, ...errors, 409: S.ProblemBody } },
    config: limitFor(config, "writes"),
  }, async (request, reply) => {
    const { sessionId } = request.params;
    const { position } = await commands.execute(sessionId, { type: "ResetConversation", data: {} }, { meta: commandMeta(request) });
    const session = await readBack(sessionId, position, reply, () => fromHistory(sessionId));
    if (!session) throw notFound(sessionId);
    return { ...(await present(session)), position };
  });

  app.delete(byId, {
    schema: { tags, security, params: S.SessionParams, response: { 200: S.SessionDeleted, ...errors } },
    config: limitFor(config, "writes"),
  }, async (request) => {
    const { sessionId } = request.params;
    const { position } = await commands.execute(sessionId, { type: "DeleteSession", data: {} }, { meta: commandMeta(request) });
    return { success: true as const, sessionId, position };
  });
};
