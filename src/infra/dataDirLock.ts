import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRunning, processStartTime } from "./processes.ts";

/**
 * One owner per DATA_DIR: the embedded redis-server's AOF and PGlite's files must never be
 * opened by two processes. The owner (a service, or a ccm tool when no service runs) holds
 * `DATA_DIR/owner.json`, created exclusively, mode 0600; a lock whose process is gone (pid
 * and start time no longer match) is stale and taken over. The file also tells the tools how
 * to reach a running service: its URL and a token made for them on this run.
 */
export const OWNER_FILE = "owner.json";

export interface OwnerRecord {
  readonly pid: number;
  /** The owner's start time (Linux clock ticks): a pid reused by another process does not look alive. */
  readonly startTime: string | null;
  /** `start`, or the ccm tool that opened the folder itself. */
  readonly command: string;
  readonly since: string;
  /** Where the running service listens (set once it does). */
  readonly url?: string;
  /** An admin token the service accepts from the tools on this run. */
  readonly toolToken?: string;
  /** The embedded Redis's URL (its port changes every run): tools that need only Redis use it. */
  readonly redisUrl?: string;
  /** False for a service without the api role: it cannot run the tools, nor lend its database. */
  readonly api?: boolean;
}

export class DataDirBusyError extends Error {
  override readonly name = "DataDirBusyError";
  constructor(readonly dataDir: string, readonly owner: OwnerRecord) {
    const who = owner.command === "start" ? "a running service" : `\`ccm ${owner.command}\``;
    super(
      `DATA_DIR ${dataDir} is in use by ${who} (pid ${owner.pid}, since ${owner.since}${owner.url ? `, at ${owner.url}` : ""}). ` +
        "One process owns a data folder: stop it first, or set DATA_DIR to another folder.",
    );
  }
}

const readRecord = (path: string): { text: string; record: OwnerRecord | null } | null => {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    return { text, record: JSON.parse(text) as OwnerRecord };
  } catch {
    // Half written by an owner that died while writing it.
    return { text, record: null };
  }
};

const alive = (record: OwnerRecord | null): record is OwnerRecord => record !== null && isRunning(record.pid, record.startTime);

/** The live owner of `dataDir`, or null when nobody holds it. */
export const readOwner = (dataDir: string): OwnerRecord | null => {
  const found = readRecord(join(dataDir, OWNER_FILE));
  return found !== null && alive(found.record) ? found.record : null;
};

/**
 * Takes `dataDir` for this process, or throws DataDirBusyError naming its live owner. A stale
 * lock is removed only if it is still the one judged stale (read again just before).
 */
export const lockDataDir = (dataDir: string, command: string, roles: { api?: boolean } = {}) => {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, OWNER_FILE);
  let record: OwnerRecord = { pid: process.pid, startTime: processStartTime(process.pid), command, since: new Date().toISOString(), ...roles };
  for (let attempt = 0; ; attempt += 1) {
    try {
      writeFileSync(path, `${JSON.stringify(record)}\n`, { flag: "wx", mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 3) throw error;
    }
    const found = readRecord(path);
    if (found === null) continue;
    if (alive(found.record)) throw new DataDirBusyError(dataDir, found.record);
    if (readRecord(path)?.text === found.text) unlinkSync(path);
  }
  return {
    /** Adds what the tools need to know (URL, token) once it is known. */
    update: (patch: Partial<Pick<OwnerRecord, "url" | "toolToken" | "redisUrl">>) => {
      record = { ...record, ...patch };
      const temporary = `${path}.${process.pid}`;
      writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
      renameSync(temporary, path);
    },
    release: () => {
      if (readRecord(path)?.record?.pid === process.pid) unlinkSync(path);
    },
  };
};

export type DataDirLock = ReturnType<typeof lockDataDir>;

/** Whether a process opens anything in DATA_DIR that only one process may open (the embedded Redis, PGlite if it uses the database). */
export const usesEmbeddedStores = (config: { readonly REDIS_URL?: string | undefined; readonly DATABASE_URL?: string | undefined }, database: boolean): boolean =>
  config.REDIS_URL === undefined || (database && config.DATABASE_URL === undefined);
