import type { Machine, MachineRegistry } from "../machines/machineRegistry.ts";
import { AppError } from "../errors.ts";
import { confineProjectPath, confineToPublished, type ProjectPathInput } from "./projectPath.ts";

/** Where the api itself runs: its own machine id and repositories folder. */
export interface OwnHost {
  readonly MACHINE_ID: string;
  readonly GITHUB_REPOS_DIRECTORY: string;
}

/**
 * The machine a new session runs on: the one asked for; else the api's own host when it runs
 * a runner (or when no machine is registered yet: the one-process default), else the only
 * machine registered. With several and none of them the api's own, the phone must choose.
 */
export const chooseMachine = (requested: string | undefined, machines: readonly Machine[], own: OwnHost): string => {
  if (requested !== undefined) {
    if (requested === own.MACHINE_ID || machines.some((machine) => machine.id === requested)) return requested;
    throw AppError.of("machine_not_found", `no runner has registered machine ${requested}`);
  }
  const [only] = machines;
  if (machines.length === 0 || machines.some((machine) => machine.id === own.MACHINE_ID)) return own.MACHINE_ID;
  if (machines.length === 1 && only !== undefined) return only.id;
  throw AppError.of("machine_required", `${machines.length} machines are registered and this api's host runs none: give machineId (GET /api/claude-code/machines)`);
};

/**
 * A session's folder on its machine: on the api's own host it is resolved and confined on this
 * disk; on another machine it is checked against what that machine published.
 */
export const folderOn = async (machineId: string, machines: MachineRegistry, own: OwnHost, input: ProjectPathInput): Promise<string> => {
  if (machineId === own.MACHINE_ID) return confineProjectPath(own.GITHUB_REPOS_DIRECTORY, input);
  const machine = await machines.get(machineId);
  if (machine === null) throw AppError.of("machine_not_found", `no runner has registered machine ${machineId}`);
  return confineToPublished(machine, input);
};

/** A session's machine as the session view shows it, live. */
export const machineSummary = (machineId: string | null, machines: readonly Machine[]) => {
  if (machineId === null) return null;
  const machine = machines.find((known) => known.id === machineId);
  return { id: machineId, name: machine?.name ?? machineId, online: machine?.online ?? false };
};
