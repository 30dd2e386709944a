import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * What the service knows about other processes: whether one is alive, which one it is (a pid
 * can be reused once its process is gone, so a pid is paired with the process's start time),
 * and which processes work in a folder. The details come from Linux's /proc; elsewhere a pid
 * alone is what there is.
 */
const readProc = (pid: number, file: string): string | null => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return null;
  }
};

/** The fields of /proc/<pid>/stat from the third (state) on; null off Linux or when it is gone. */
const statFields = (pid: number): string[] | null => {
  const stat = readProc(pid, "stat");
  // The command name (field 2) is in parentheses and may hold spaces: count from its end.
  return stat === null ? null : stat.slice(stat.lastIndexOf(")") + 2).split(" ");
};

/** The process's start time in clock ticks since boot (field 22); null off Linux or when it is gone. */
export const processStartTime = (pid: number): string | null => statFields(pid)?.[19] ?? null;

/** The executable's name (/proc/<pid>/comm), or null off Linux or when it is gone. */
export const processName = (pid: number): string | null => readProc(pid, "comm")?.trim() ?? null;

/** Whether `pid` is alive and, when its start time was recorded, still the same process. */
export const isRunning = (pid: number, startTime: string | null = null): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's: not one of ours, yet the pid is taken.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const fields = statFields(pid);
  // A zombie has exited; only its parent has not collected it yet.
  if (fields?.[0] === "Z") return false;
  const now = fields?.[19] ?? null;
  return startTime === null || now === null || now === startTime;
};

/** Pids of processes named `name` whose working folder is `folder` (a real path); empty off Linux. */
export const processesIn = (folder: string, name: string): number[] => {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || processName(pid) !== name) continue;
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) === folder) found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to look at.
    }
  }
  return found;
};

/** Signals `pid` and waits (bounded) until it is gone; SIGKILL once `graceMs` passed. True when it is gone. */
export const stopProcess = async (pid: number, graceMs: number): Promise<boolean> => {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!isRunning(pid)) return true;
  signal("SIGKILL");
  for (let tries = 0; tries < 40 && isRunning(pid); tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isRunning(pid);
};
