import type { Logger } from "pino";
import { toError } from "../errors.ts";
import type { MachineRegistry } from "../machines/machineRegistry.ts";
import { listRepositories } from "../repositories/repositories.ts";
import type { Launcher } from "./spawnClaude.ts";

export interface MachineBeatDeps {
  readonly machines: MachineRegistry;
  readonly machineId: string;
  readonly name: string;
  readonly runnerId: string;
  readonly reposDirectory: string;
  readonly capacity: number;
  readonly heartbeatMs: number;
  readonly launcher: Launcher | null;
  /** Jobs the runner runs now. */
  readonly runningJobs: () => number;
  readonly logger: Logger;
}

/**
 * A runner's heartbeat: it says its machine is alive every `heartbeatMs`, with the machine's
 * repositories (read again each time), its CLI's version and how busy it is. A failed beat is
 * logged once, not on every tick (an outage lasts).
 */
export const startMachineBeat = async (deps: MachineBeatDeps) => {
  const { machines, logger } = deps;
  const cliVersion = (await deps.launcher?.version().catch(() => null)) ?? null;
  const beat = async () => {
    await machines.beat({
      machineId: deps.machineId, name: deps.name, runnerId: deps.runnerId, repositories: await listRepositories(deps.reposDirectory),
      reposDirectory: deps.reposDirectory, cliVersion, capacity: deps.capacity, runningJobs: deps.runningJobs(),
    }, deps.heartbeatMs);
  };
  let failing = "";
  const tick = () =>
    beat().then(
      () => {
        if (failing !== "") logger.info("machine heartbeat works again");
        failing = "";
      },
      (error: unknown) => {
        const message = toError(error).message;
        if (message !== failing) logger.warn({ err: message }, "machine heartbeat failed");
        failing = message;
      },
    );
  await machines.prune(deps.machineId, deps.runnerId).catch(() => undefined);
  await tick();
  logger.info({ machineId: deps.machineId, name: deps.name, cliVersion, heartbeatMs: deps.heartbeatMs }, "runner: machine registered");
  const timer = setInterval(tick, deps.heartbeatMs);
  return {
    /** Beats now (a job started or ended: the phone sees it at once). */
    beat: tick,
    stop: async () => {
      clearInterval(timer);
      await machines.leave(deps.runnerId).catch(() => undefined);
    },
  };
};
