import type { Redis } from "ioredis";

/** What Redis reports about its persistence, and whether that keeps the configured promise. */
export interface DurabilityReport {
  readonly ok: boolean;
  readonly appendonly: string | null;
  readonly appendfsync: string | null;
  readonly detail: string;
}

const configValue = async (redis: Redis, name: string): Promise<string | null> => {
  const reply = (await redis.config("GET", name)) as string[];
  return reply[1] ?? null;
};

/**
 * Reads `appendonly` and `appendfsync` as Redis reports them (never sets them: a Redis the
 * service does not own is not its to reconfigure, and a runtime CONFIG SET is lost on restart).
 * Strict durability (an acknowledged command survives a crash) needs `yes` and `always`.
 */
export const verifyDurability = async (redis: Redis, mode: "everysec" | "strict"): Promise<DurabilityReport> => {
  let appendonly: string | null;
  let appendfsync: string | null;
  try {
    [appendonly, appendfsync] = [await configValue(redis, "appendonly"), await configValue(redis, "appendfsync")];
  } catch (error) {
    const detail = `CONFIG GET is not allowed on this Redis (${(error as Error).message}): durability cannot be verified`;
    return { ok: mode !== "strict", appendonly: null, appendfsync: null, detail };
  }
  const strict = appendonly === "yes" && appendfsync === "always";
  if (mode === "strict") {
    const detail = strict
      ? "strict durability verified (appendonly yes, appendfsync always): acknowledged commands survive a crash"
      : `REDIS_DURABILITY=strict, but Redis reports appendonly ${appendonly}, appendfsync ${appendfsync}: writes are refused until it is configured with appendonly yes and appendfsync always`;
    return { ok: strict, appendonly, appendfsync, detail };
  }
  const detail = appendonly === "yes"
    ? `durability: appendonly yes, appendfsync ${appendfsync}${appendfsync === "always" ? "" : ": a crash may lose the last second"}`
    : "durability: Redis keeps no append-only file (appendonly no): a crash loses what was not saved";
  return { ok: true, appendonly, appendfsync, detail };
};
