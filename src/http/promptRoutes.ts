import { randomUUID } from "node:crypto";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { DomainError } from "../../commands/errors.ts";
import { promptStatus, type SessionState } from "../../commands/session/index.ts";
import { optionsProblem } from "../claude/cliOptions.ts";
import { AppError } from "../errors.ts";
import { commandMeta } from "./auth.ts";
import type { AppDeps } from "./deps.ts";
import { freshRead } from "./freshness.ts";
import { acceptedBody, replayAccepted, type PromptAccepted } from "./promptAccepted.ts";
import { folderOn } from "./machinePlacement.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

const tags = ["prompts"];
const security = [{ bearerAuth: [] }];
const errors = { ...S.commonErrors, 404: S.ProblemBody, 409: S.ProblemBody };

/** Prompts of a session: send (queued in the aggregate), list, read, cancel. */
export const promptRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { config, reads, commands } = deps;
  const fresh = freshRead(reads, config.READ_WAIT_MS);
  const list = "/api/claude-code/sessions/:sessionId/prompts";
  const one = `${list}/:promptId`;
  /** The machine a prompt's own folder must be on: its session's (the api's host for sessions from before machines). */
  const machineOf = async (sessionId: string) => {
    const { state } = await commands.read(sessionId);
    return state.status === "open" ? (state.machineId ?? config.MACHINE_ID) : config.MACHINE_ID;
  };

  const machineIdOf = (state: SessionState | undefined) => (state?.status === "open" ? state.machineId : null);

  /**
   * The session's machine, looked up while the command runs when this process already knows
   * the session (its machine never changes), so both go to Redis together.
   */
  const lookUpMachine = (sessionId: string) => {
    const known = machineIdOf(commands.cached(sessionId)?.state);
    const early = known === null ? null : { machineId: known, machine: deps.machines.get(known) };
    early?.machine.catch(() => undefined); // awaited below, or dropped if the command fails
    return (state: SessionState) => {
      const machineId = machineIdOf(state);
      if (machineId === null) return Promise.resolve(null);
      return early?.machineId === machineId ? early.machine : deps.machines.get(machineId);
    };
  };

  /** Whether the session's machine is online: a prompt for an idle session whose machine is not waits queued until it is back. */
  const onItsMachine = async (body: PromptAccepted, state: SessionState, machineOf: ReturnType<typeof lookUpMachine>) => {
    const machine = await machineOf(state);
    if (machine === null) return { ...body, machineOnline: null };
    const machineOnline = machine.online;
    const waits = !machineOnline && body.status === "running" && body.steeringJobId === null;
    return { ...body, machineOnline, ...(waits ? { status: "queued" as const } : {}) };
  };

  app.post(list, {
    schema: {
      tags, security, params: S.SessionParams, headers: S.IdempotencyHeaders, body: S.EnqueuePromptBody,
      response: { 202: S.PromptAccepted, ...errors, 403: S.ProblemBody, 413: S.ProblemBody, 422: S.ProblemBody },
    },
    config: limitFor(config, "prompts"),
  }, async (request, reply) => {
    const { sessionId } = request.params;
    const { prompt, options, deliveryMode } = request.body;
    if (prompt.length > config.PROMPT_MAX_CHARS) {
      throw AppError.of("prompt_too_long", `a prompt may have at most ${config.PROMPT_MAX_CHARS} characters`);
    }
    const problem = options === undefined ? null : optionsProblem(options, { allowBypassPermissions: config.RUNNER_ALLOW_BYPASS_PERMISSIONS });
    if (problem !== null) throw AppError.of("validation_failed", problem);
    const projectPath = request.body.projectPath === undefined
      ? undefined
      : await folderOn(await machineOf(sessionId), deps.machines, config, { projectPath: request.body.projectPath });
    const ids = { promptId: randomUUID(), messageId: randomUUID() };
    const idempotencyKey = request.headers["idempotency-key"];
    const machineOfSession = lookUpMachine(sessionId);
    const outcome = await commands.execute(
      sessionId,
      { type: "EnqueuePrompt", data: { ...ids, prompt, deliveryMode, ...(projectPath ? { projectPath } : {}), ...(options ? { options } : {}) } },
      { meta: commandMeta(request), ...(idempotencyKey ? { idempotencyKey } : {}) },
    );
    const body = outcome.duplicate
      ? await replayAccepted(commands, sessionId, outcome, prompt)
      : acceptedBody(sessionId, ids, outcome.state, outcome.position);
    return reply.code(202).send(await onItsMachine(body, outcome.state, machineOfSession));
  });

  app.get(list, {
    schema: { tags, security, params: S.SessionParams, querystring: S.FreshQuery, response: { 200: S.PromptList, ...errors } },
    config: limitFor(config, "reads"),
    preHandler: fresh,
  }, async (request) => {
    const { sessionId } = request.params;
    if (!(await reads.getSession(sessionId))) throw new DomainError("session_not_found", `session ${sessionId} not found`, { sessionId });
    return { prompts: await reads.listPrompts(sessionId) };
  });

  app.get(one, {
    schema: { tags, security, params: S.PromptParams, querystring: S.FreshQuery, response: { 200: S.Prompt, ...errors } },
    config: limitFor(config, "reads"),
    preHandler: fresh,
  }, async (request) => {
    const { sessionId, promptId } = request.params;
    const prompt = await reads.getPrompt(sessionId, promptId);
    if (!prompt) throw new DomainError("prompt_not_found", `prompt ${promptId} not found`, { sessionId, promptId });
    return prompt;
  });

  app.delete(one, {
    schema: { tags, security, params: S.PromptParams, response: { 200: S.PromptCancelled, 202: S.PromptCancelled, ...errors } },
    config: limitFor(config, "writes"),
  }, async (request, reply) => {
    const { sessionId, promptId } = request.params;
    const { state, position } = await commands.execute(sessionId, { type: "CancelPrompt", data: { promptId } }, { meta: commandMeta(request) });
    const cancelled = promptStatus(state, promptId) === "cancelled";
    // A queued prompt is gone at once (200); a running one waits for the runner to kill it (202).
    return reply.code(cancelled ? 200 : 202).send({
      promptId, sessionId, status: cancelled ? "cancelled" : "cancel_requested", position,
    });
  });
};
