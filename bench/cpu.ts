import { readdirSync, readFileSync } from "node:fs";
import type { Redis } from "ioredis";

/** CPU time (ms) each component has used so far: a figure a busy machine disturbs less than req/s. */
export interface CpuSnapshot {
  readonly server: number;
  readonly redis: number;
  readonly postgres: number;
}

/** utime + stime (ms) from a /proc/<pid>/stat line, and the process name. */
const statOf = (pid: string): { name: string; cpuMs: number } | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
    return { name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
  } catch {
    return null;
  }
};

/** Every Postgres process on the machine (postmaster, backends, background workers). */
const postgresMs = (): number => {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    const stat = statOf(pid);
    if (stat?.name.startsWith("postgres")) total += stat.cpuMs;
  }
  return total;
};

/** used_cpu_sys + used_cpu_user of the Redis the benchmark talks to (`INFO cpu`). */
const redisMs = async (redis: Redis): Promise<number> => {
  const info = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return 1000 * (field("used_cpu_sys") + field("used_cpu_user"));
};

export const cpuSnapshot = async (serverPid: number, redis: Redis): Promise<CpuSnapshot> => ({
  server: statOf(String(serverPid))?.cpuMs ?? Number.NaN,
  redis: await redisMs(redis),
  postgres: postgresMs(),
});

/** µs of CPU per request of each component between two snapshots. */
export const cpuPerRequest = (before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuSnapshot => {
  const per = (key: keyof CpuSnapshot) => (1000 * (after[key] - before[key])) / Math.max(1, requests);
  return { server: per("server"), redis: per("redis"), postgres: per("postgres") };
};
