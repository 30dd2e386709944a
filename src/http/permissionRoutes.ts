import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { DomainError } from "../../commands/errors.ts";
import type { DecidePermission } from "../../commands/session/index.ts";
import { projectInMemory, rowKey } from "../../projections/sessions/applyEvent.ts";
import { AppError, ReadModelUnavailableError } from "../errors.ts";
import { isDatabaseUnavailable } from "../infra/outages.ts";
import { permissionView, type PermissionView } from "../../projections/sessions/views.ts";
import { commandMeta } from "./auth.ts";
import type { AppDeps } from "./deps.ts";
import { freshRead, waitForWrite } from "./freshness.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

const tags = ["permissions"];
const security = [{ bearerAuth: [] }];
const errors = { ...S.commonErrors, 404: S.ProblemBody, 409: S.ProblemBody };

const notFound = (requestId: string) => new DomainError("permission_not_found", `no permission request ${requestId} in this session`, { requestId });

/**
 * What the CLI asked the person, and their answers: the requests of a session, and the answer
 * to one (allow, allow always, deny; a question's answers; the mode to leave a plan in).
 */
export const permissionRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { config, reads, commands, store } = deps;
  const fresh = freshRead(reads, config.READ_WAIT_MS);
  const list = "/api/claude-code/sessions/:sessionId/permissions";

  /** The request as the session's events describe it, when the read models cannot say (the database is away). */
  const fromHistory = async (sessionId: string, requestId: string): Promise<PermissionView | null> => {
    const row = projectInMemory(await store.readEvents(sessionId)).permissions.get(rowKey(sessionId, requestId));
    return row ? permissionView(row) : null;
  };

  const readBack = async (sessionId: string, requestId: string, position: string | null, reply: FastifyReply) => {
    try {
      if (!reads.ready()) throw new ReadModelUnavailableError("not migrated yet");
      await waitForWrite(reads, reply, position, config.READ_WAIT_MS);
      return await reads.getPermission(sessionId, requestId);
    } catch (error) {
      if (!(error instanceof ReadModelUnavailableError) && !isDatabaseUnavailable(error)) throw error;
      reply.header("x-read-fresh", "false");
      return fromHistory(sessionId, requestId);
    }
  };

  app.get(list, {
    schema: { tags, security, params: S.SessionParams, querystring: S.FreshQuery, response: { 200: S.PermissionList, ...errors } },
    config: limitFor(config, "reads"),
    preHandler: fresh,
  }, async (request) => {
    const { sessionId } = request.params;
    if (!(await reads.getSession(sessionId))) throw new DomainError("session_not_found", `session ${sessionId} not found`, { sessionId });
    return { permissions: await reads.listPermissions(sessionId) };
  });

  app.get(`${list}/:requestId`, {
    schema: { tags, security, params: S.PermissionParams, querystring: S.FreshQuery, response: { 200: S.Permission, ...errors } },
    config: limitFor(config, "reads"),
    preHandler: fresh,
  }, async (request) => {
    const { sessionId, requestId } = request.params;
    const permission = await reads.getPermission(sessionId, requestId);
    if (!permission) throw notFound(requestId);
    return permission;
  });

  app.post(`${list}/:requestId`, {
    schema: {
      tags, security, params: S.PermissionParams, body: S.DecidePermissionBody,
      response: { 200: S.PermissionDecided, ...errors },
    },
    config: limitFor(config, "writes"),
  }, async (request, reply) => {
    const { sessionId, requestId } = request.params;
    const { decision, message, updatedInput, answers, permissionMode } = request.body;
    if (permissionMode === "bypassPermissions" && !config.RUNNER_ALLOW_BYPASS_PERMISSIONS) {
      throw AppError.of("validation_failed", "permissionMode bypassPermissions is disabled on this server (the operator can allow it with RUNNER_ALLOW_BYPASS_PERMISSIONS=1)");
    }
    const data: DecidePermission["data"] = {
      requestId, decision,
      ...(message !== undefined ? { message } : {}),
      ...(updatedInput !== undefined ? { updatedInput } : {}),
      ...(answers !== undefined ? { answers } : {}),
      ...(permissionMode !== undefined ? { permissionMode } : {}),
    };
    const { position } = await commands.execute(sessionId, { type: "DecidePermission", data }, { meta: commandMeta(request) });
    const permission = await readBack(sessionId, requestId, position, reply);
    if (!permission) throw notFound(requestId);
    return { ...permission, position };
  });
};
