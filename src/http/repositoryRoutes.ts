import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { pageRepositories } from "../repositories/repositories.ts";
import type { AppDeps } from "./deps.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

const tags = ["repositories"];
const security = [{ bearerAuth: [] }];

const Repository = z.object({
  name: z.string(),
  path: z.string().describe("Absolute path: pass it (or the name as folderName) to POST /sessions"),
  isGit: z.boolean(),
  branch: z.string().nullable().describe("The checked-out branch; null outside git or on a detached HEAD"),
  lastModified: z.string().describe("ISO 8601: when the folder itself last changed"),
});

const RepositoriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** The repositories a phone may open on this api's host: the folders of GITHUB_REPOS_DIRECTORY, by name. */
export const repositoryRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { config } = deps;
  app.get("/api/claude-code/repositories", {
    schema: {
      tags, security, querystring: RepositoriesQuery,
      response: { 200: z.object({ repositories: z.array(Repository), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }), ...S.commonErrors },
    },
    config: limitFor(config, "reads"),
  }, async (request) => {
    const { limit, offset } = request.query;
    return { ...(await pageRepositories(config.GITHUB_REPOS_DIRECTORY, { limit, offset })), limit, offset };
  });
};
