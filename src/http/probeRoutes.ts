import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { allProjections } from "../../projections/index.ts";
import { readLag } from "../projector/lag.ts";
import type { AppDeps } from "./deps.ts";

const startedAt = Date.now();

const check = async (probe: () => Promise<unknown>): Promise<"up" | "down"> => {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 1000))]);
    return "up";
  } catch {
    return "down";
  }
};

const Lag = z.object({ projection: z.string(), behind: z.number(), oldestUnprocessedAgeMs: z.number(), deadLetters: z.number() });

const Problem = z.object({ component: z.string(), detail: z.string() });

const Health = z.object({
  status: z.enum(["ok", "degraded", "down"]),
  services: z.object({ redis: z.enum(["up", "down"]), database: z.enum(["up", "down"]) }),
  /** What is wrong, when anything is: why the status is not `ok`. */
  problems: z.array(Problem),
  version: z.string(),
  uptime: z.number(),
  /** How far each projection is behind the event log; absent when a dependency is down. */
  projections: z.array(Lag).optional(),
});

/** Lag per projection, or nothing when it cannot be read within a second. */
const projectionLag = async (deps: AppDeps) => {
  try {
    const lags = await Promise.race([
      readLag({ db: deps.db, store: deps.store, projections: allProjections.map((projection) => projection.name) }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 1000)),
    ]);
    return lags.map(({ projection, behind, oldestUnprocessedAgeMs, deadLetters }) => ({ projection, behind, oldestUnprocessedAgeMs, deadLetters }));
  } catch {
    return undefined;
  }
};

/** Health probes: the only routes that need no token. */
export const probeRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const services = async () => {
    const [redis, database] = await Promise.all([
      check(() => deps.redis.ping()),
      check(() => deps.db.selectNoFrom((eb) => eb.val(1).as("one")).execute()),
    ]);
    return { redis, database };
  };

  /** What the probes and the service's parts say is wrong. */
  const problemsOf = (state: Awaited<ReturnType<typeof services>>) => [
    ...(state.redis === "down" ? [{ component: "redis", detail: "unreachable: commands and live streams answer 503" }] : []),
    ...(state.database === "down" ? [{ component: "database", detail: "unreachable: reads answer 503, commands are still taken" }] : []),
    ...(state.database === "up" && !deps.reads.ready() ? [{ component: "database", detail: "migrations pending: reads answer 503" }] : []),
    ...(deps.health?.problems() ?? []),
  ];

  app.get("/health", { schema: { tags: ["probes"], security: [], response: { 200: Health, 503: Health } }, config: { public: true } }, async (_request, reply) => {
    const state = await services();
    const problems = problemsOf(state);
    const status = state.redis === "down" && state.database === "down" ? "down" : problems.length > 0 ? "degraded" : "ok";
    const projections = status === "ok" ? await projectionLag(deps) : undefined;
    return reply.code(status === "down" ? 503 : 200).send({
      status, services: state, problems, version: deps.version, uptime: (Date.now() - startedAt) / 1000, ...(projections ? { projections } : {}),
    });
  });

  app.get("/live", { schema: { tags: ["probes"], security: [], response: { 200: z.object({ status: z.literal("ok") }) } }, config: { public: true } }, async () => ({ status: "ok" as const }));

  app.get("/ready", { schema: { tags: ["probes"], security: [] }, config: { public: true } }, async (_request, reply) => {
    const state = await services();
    const ready = state.redis === "up" && state.database === "up";
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", services: state });
  });
};
