import { masterNodes, type RedisClient } from "./redis.ts";

/** What Redis reports about its persistence, and whether that keeps the configured promise. */
export interface DurabilityReport {
  readonly ok: boolean;
  readonly appendonly: string | null;
  readonly appendfsync: string | null;
  readonly detail: string;
}

const configValue = async (redis: RedisClient, name: string): Promise<string | null> => {
  const reply = (await redis.config("GET", name)) as string[];
  return reply[1] ?? null;
};

/**
 * Reads `appendonly` and `appendfsync` as Redis reports them (never sets them: a Redis the
 * service does not own is not its to reconfigure, and a runtime CONFIG SET is lost on restart).
 * Strict durability (an acknowledged command survives a crash) needs `yes` and `always`.
 */
const verifyNode = async (redis: RedisClient, mode: "everysec" | "strict"): Promise<DurabilityReport> => {
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

/** The same, for every master of a cluster: the promise holds only if it holds on each; the first that breaks it is reported. */
export const verifyDurability = async (redis: RedisClient, mode: "everysec" | "strict"): Promise<DurabilityReport> => {
  const reports = await Promise.all(masterNodes(redis).map((node) => verifyNode(node, mode)));
  const broken = reports.find((report) => !report.ok);
  if (broken !== undefined || reports.length === 1) return broken ?? (reports[0] as DurabilityReport);
  const first = reports[0];
  if (first === undefined) return { ok: mode !== "strict", appendonly: null, appendfsync: null, detail: "no Redis master is known yet: durability cannot be verified" };
  return { ...first, detail: `${first.detail} (on each of ${reports.length} masters)` };
};
