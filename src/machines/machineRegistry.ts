import type { RedisClient } from "../infra/redis.ts";

/**
 * Machines: each runner process says, every heartbeat, which machine it is, what that machine
 * offers (its repositories, its CLI's version, its capacity) and how busy it is. The phone
 * lists machines and a session is opened on one. Kept in Redis, the only store a runner needs.
 *
 * Keys share the `{machines}` hash tag (one MULTI per beat on a cluster too):
 * - `{machines}:runners` hash: runner id → its last beat (JSON);
 * - `{machines}:alive:<runnerId>`: set with a time to live of three heartbeats; a machine is
 *   online while one of its runners' is there. A killed runner lets it lapse; a stopped one
 *   deletes it. The time to live, kept by Redis, is what decides: no clock of another host.
 */
export interface MachineBeat {
  readonly machineId: string;
  readonly name: string;
  readonly runnerId: string;
  /** The folder names under the machine's repositories folder. */
  readonly repositories: readonly string[];
  /** The machine's repositories folder (GITHUB_REPOS_DIRECTORY there). */
  readonly reposDirectory: string;
  readonly cliVersion: string | null;
  /** CLI processes the runner runs at once. */
  readonly capacity: number;
  readonly runningJobs: number;
}

type StoredBeat = MachineBeat & { readonly lastSeenAt: string };

export interface Machine {
  readonly id: string;
  readonly name: string;
  readonly online: boolean;
  readonly lastSeenAt: string;
  readonly cliVersion: string | null;
  /** Of its runners online (of the last one seen, while offline). */
  readonly capacity: number;
  readonly runningJobs: number;
  readonly repositories: readonly string[];
  readonly reposDirectory: string;
}

/** Beats missed before a machine shows offline. */
export const MISSED_BEATS = 3;

const machineKeys = (prefix: string) => ({
  runners: `${prefix}{machines}:runners`,
  alive: (runnerId: string) => `${prefix}{machines}:alive:${runnerId}`,
});

const parseBeat = (text: string): StoredBeat | null => {
  try {
    const beat = JSON.parse(text) as StoredBeat;
    return typeof beat.machineId === "string" && typeof beat.runnerId === "string" ? beat : null;
  } catch {
    return null;
  }
};

/** One machine from its runners' beats: online ones count, else the last one seen speaks for it. */
const machineOf = (beats: readonly { beat: StoredBeat; alive: boolean }[]): Machine => {
  const newest = [...beats].sort((a, b) => b.beat.lastSeenAt.localeCompare(a.beat.lastSeenAt));
  const online = newest.filter((entry) => entry.alive);
  const counted = online.length > 0 ? online : newest.slice(0, 1);
  const latest = (newest[0] as { beat: StoredBeat }).beat;
  return {
    id: latest.machineId, name: latest.name, online: online.length > 0, lastSeenAt: latest.lastSeenAt, cliVersion: latest.cliVersion,
    capacity: counted.reduce((sum, entry) => sum + entry.beat.capacity, 0),
    runningJobs: counted.reduce((sum, entry) => sum + entry.beat.runningJobs, 0),
    repositories: latest.repositories, reposDirectory: latest.reposDirectory,
  };
};

export const createMachineRegistry = (options: { redis: RedisClient; prefix: string }) => {
  const { redis } = options;
  const keys = machineKeys(options.prefix);

  const beats = async () => {
    const stored = Object.values(await redis.hgetall(keys.runners)).map(parseBeat).filter((beat) => beat !== null);
    if (stored.length === 0) return [];
    const alive = await redis.mget(...stored.map((beat) => keys.alive(beat.runnerId)));
    return stored.map((beat, index) => ({ beat, alive: alive[index] !== null }));
  };

  /** Every machine ever seen (until its runners are pruned), online ones first, then by name. */
  const list = async (): Promise<Machine[]> => {
    const byMachine = new Map<string, { beat: StoredBeat; alive: boolean }[]>();
    for (const entry of await beats()) byMachine.set(entry.beat.machineId, [...(byMachine.get(entry.beat.machineId) ?? []), entry]);
    return [...byMachine.values()].map(machineOf).sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  };

  return {
    list,
    get: async (machineId: string): Promise<Machine | null> => (await list()).find((machine) => machine.id === machineId) ?? null,
    /** Says the runner's machine is alive for `MISSED_BEATS` heartbeats. */
    beat: async (beat: MachineBeat, heartbeatMs: number, now = new Date()) => {
      const stored: StoredBeat = { ...beat, lastSeenAt: now.toISOString() };
      await redis.multi().hset(keys.runners, beat.runnerId, JSON.stringify(stored)).set(keys.alive(beat.runnerId), "1", "PX", heartbeatMs * MISSED_BEATS).exec();
    },
    /** A runner that stops says so: its machine shows offline at once unless another of its runners is online. */
    leave: async (runnerId: string) => void (await redis.del(keys.alive(runnerId))),
    /** Forgets the earlier runners of a machine that are gone (a restarted runner has a new id). */
    prune: async (machineId: string, keepRunnerId: string) => {
      const gone = (await beats()).filter((entry) => entry.beat.machineId === machineId && entry.beat.runnerId !== keepRunnerId && !entry.alive);
      if (gone.length > 0) await redis.hdel(keys.runners, ...gone.map((entry) => entry.beat.runnerId));
    },
  };
};

export type MachineRegistry = ReturnType<typeof createMachineRegistry>;
