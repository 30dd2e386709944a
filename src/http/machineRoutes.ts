import { posix } from "node:path";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { AppError } from "../errors.ts";
import type { AppDeps } from "./deps.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

const tags = ["machines"];
const security = [{ bearerAuth: [] }];

/** The machines runners registered (each runner process is one; see machines/machineRegistry.ts) and their repositories. */
export const machineRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { config, machines } = deps;

  app.get("/api/claude-code/machines", {
    schema: { tags, security, response: { 200: S.MachineList, ...S.commonErrors } },
    config: limitFor(config, "reads"),
  }, async () => ({
    machines: (await machines.list()).map(({ id, name, online, lastSeenAt, cliVersion, capacity, runningJobs }) => ({ id, name, online, lastSeenAt, cliVersion, capacity, runningJobs })),
  }));

  app.get("/api/claude-code/machines/:machineId/repositories", {
    schema: { tags, security, params: S.MachineParams, response: { 200: S.MachineRepositories, ...S.commonErrors, 404: S.ProblemBody } },
    config: limitFor(config, "reads"),
  }, async (request) => {
    const machine = await machines.get(request.params.machineId);
    if (machine === null) throw AppError.of("machine_not_found", `no runner has registered machine ${request.params.machineId}`);
    return {
      machineId: machine.id,
      reposDirectory: machine.reposDirectory,
      repositories: machine.repositories.map((name) => ({ name, path: posix.join(machine.reposDirectory, name) })),
    };
  });
};
