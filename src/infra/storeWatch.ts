import type { RedisClient } from "./redis.ts";
import type { Logger } from "pino";
import type { DeploymentWitness } from "../eventStore/deployment.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import { toError } from "../errors.ts";
import { verifyDurability } from "./durability.ts";
import type { HealthBoard } from "./health.ts";

export interface StoreWatchDeps {
  readonly store: EventStore;
  readonly redis: RedisClient;
  readonly mode: "everysec" | "strict";
  /** Postgres's memory of the deployment marker; null for a runner, which needs only Redis. */
  readonly witness: DeploymentWitness | null;
  readonly logger: Logger;
  readonly health: HealthBoard;
  readonly intervalMs?: number;
}

/**
 * Keeps the event store's promises true on every (re)connect and every few seconds: strict
 * durability as Redis reports it, and the deployment marker (a Redis that came back empty has
 * lost data). Either failing refuses writes (503) and shows in /health; both clear by
 * themselves once fixed (Redis reconfigured, `ccm restore` done). Logs only what changed.
 */
export const watchStore = async (deps: StoreWatchDeps) => {
  const { store, logger, health } = deps;
  let known: string | null = null;
  const said = new Map<string, string>();

  const tell = (key: string, level: "info" | "warn" | "error", text: string) => {
    if (said.get(key) === text) return;
    said.set(key, text);
    logger[level](text);
  };

  const checkDurability = async () => {
    const report = await verifyDurability(deps.redis, deps.mode);
    store.guard.set("durability_unavailable", report.ok ? null : report.detail);
    health.report("durability", report.ok ? null : report.detail);
    tell("durability", report.ok ? "info" : "error", report.detail);
  };

  const checkMarker = async () => {
    const state = await store.checkDeployment(deps.witness, known);
    if (state.kind === "ok") known = state.marker;
    store.guard.set("redis_data_lost", state.kind === "lost" ? state.detail : null);
    store.guard.set("deployment_unknown", state.kind === "unknown" ? state.detail : null);
    health.report("redis", state.kind === "ok" ? null : state.detail);
    tell("deployment", state.kind === "ok" ? "info" : state.kind === "lost" ? "error" : "warn",
      state.kind === "ok" ? `deployment ${state.marker}: RedisClient holds this deployment's data` : state.detail);
  };

  const check = async () => {
    try {
      await checkDurability();
      await checkMarker();
      said.delete("check");
    } catch (error) {
      // Redis away: the commands answer 503 by themselves; check again when it is back.
      tell("check", "warn", `could not check the event store's durability and data: ${toError(error).message}`);
    }
  };

  await check();
  const onReady = () => void check();
  deps.redis.on("ready", onReady);
  const timer = setInterval(() => void check(), deps.intervalMs ?? 5000);
  timer.unref();
  return {
    /** Checks again now (tests, and `ccm restore` beside a running service). */
    check,
    stop: () => {
      clearInterval(timer);
      deps.redis.off("ready", onReady);
    },
  };
};
