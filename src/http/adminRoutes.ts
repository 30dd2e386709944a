import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { TOKEN_NAME, TokenError, tokenScopes, type TokenStore } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

/**
 * Token administration over HTTP, what `ccm token` does from a shell. Every path is under
 * /api/admin, which the auth hook reserves for admin tokens.
 */
const tags = ["admin"];
const security = [{ bearerAuth: [] }];
const errors = { ...S.commonErrors, 403: S.ProblemBody };

const Scope = z.enum(tokenScopes);
const TokenRecord = z.object({ name: z.string(), scope: Scope, createdAt: z.string(), fingerprint: z.string() });
const TokenName = z.string().regex(TOKEN_NAME, "1-64 letters, digits, '.', '_' or '-'");

export const adminRoutes: FastifyPluginAsyncZod<{ tokens: TokenStore; config: Readonly<Config> }> = async (app, { tokens, config }) => {
  app.get("/api/admin/tokens", {
    schema: { tags, security, response: { 200: z.object({ tokens: z.array(TokenRecord) }), ...errors } },
    config: limitFor(config, "reads"),
  }, async () => ({ tokens: await tokens.list() }));

  app.post("/api/admin/tokens", {
    schema: {
      tags, security, body: z.object({ name: TokenName, scope: Scope.default("mobile") }),
      response: { 201: TokenRecord.extend({ token: z.string().describe("Shown once; only its SHA-256 is stored") }), ...errors, 409: S.ProblemBody },
    },
    config: limitFor(config, "writes"),
  }, async (request, reply) => {
    try {
      const { token, record } = await tokens.create(request.body.name, { scope: request.body.scope });
      request.log.info({ actor: request.actor, created: record.name, scope: record.scope }, "auth: token created");
      return reply.code(201).send({ ...record, token });
    } catch (error) {
      if (error instanceof TokenError) throw AppError.of("already_exists", error.message);
      throw error;
    }
  });

  app.delete("/api/admin/tokens/:name", {
    schema: { tags, security, params: z.object({ name: TokenName }), response: { 200: z.object({ revoked: z.string() }), ...errors, 404: S.ProblemBody } },
    config: limitFor(config, "writes"),
  }, async (request) => {
    if (!(await tokens.revoke(request.params.name))) throw AppError.of("not_found", `no token named ${request.params.name}`);
    request.log.info({ actor: request.actor, revoked: request.params.name }, "auth: token revoked");
    return { revoked: request.params.name };
  });
};
