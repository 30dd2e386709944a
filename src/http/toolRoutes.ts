import type { Logger } from "pino";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { TokenStore } from "../auth/tokens.ts";
import { createToolFrames, TOOL_STREAM_TYPE } from "../cli/toolFrames.ts";
import { needsDatabase, runTool, toolNames } from "../cli/tools.ts";
import type { Config } from "../config.ts";
import { toError } from "../errors.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { Database } from "../infra/database.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

export interface ToolRouteDeps {
  readonly config: Readonly<Config>;
  readonly store: EventStore;
  readonly tokens: TokenStore;
  readonly db: Database;
}

const Body = z.object({
  args: z.array(z.string().max(4096)).max(100).default([]),
  /** Whether the asking terminal's stderr is a terminal (progress bars redraw in place). */
  tty: z.boolean().default(false),
});

/**
 * `ccm` beside a running service: `ccm token|pair|events|projections|replay|restore|history|
 * migrate` run here, over the service's own clients, when the service owns the data folder
 * (PGlite and the embedded Redis's AOF are opened by one process only). The answer streams
 * the tool's stdout, stderr and exit code (cli/toolFrames.ts); the tool stops when the asking
 * terminal goes away (Ctrl-C). Admin only, like every /api/admin route.
 */
export const toolRoutes: FastifyPluginAsyncZod<ToolRouteDeps> = async (app, deps) => {
  app.post("/api/admin/tools/:name", {
    schema: {
      tags: ["admin"], security: [{ bearerAuth: [] }], params: z.object({ name: z.enum(toolNames) }), body: Body,
      response: { 200: z.any().describe(`${TOOL_STREAM_TYPE}: frames of stdout, stderr and the exit code`), ...S.commonErrors, 403: S.ProblemBody },
    },
    config: limitFor(deps.config, "writes"),
  }, async (request, reply) => {
    const { name } = request.params;
    const frames = createToolFrames({ tty: request.body.tty });
    const stop = new AbortController();
    reply.raw.on("close", () => stop.abort());
    // The service's pino logger (Fastify types its request loggers more narrowly).
    const logger = (request.log as unknown as Logger).child({ tool: name });
    logger.info({ actor: request.actor, args: request.body.args.length }, "ccm tool run in the service");
    const context = {
      config: deps.config, store: deps.store, tokens: deps.tokens, db: needsDatabase(name) ? deps.db : null, logger,
      out: frames.out, err: frames.err, signal: stop.signal, serviceRunning: true,
    };
    void runTool(name, request.body.args, context)
      .catch((error: unknown) => {
        if (!stop.signal.aborted) frames.err.write(`ccm ${name} failed: ${toError(error).message}\n`);
        return 1;
      })
      .then((code) => frames.finish(code));
    return reply.type(TOOL_STREAM_TYPE).send(frames.body);
  });
};
