import type { ChainableCommander } from "ioredis";
import type { RedisClient } from "../infra/redis.ts";
import { defineScripts } from "../infra/luaScripts.ts";

/**
 * Runner bookkeeping in Redis, shared by every runner process:
 * - a lease per running job (`lease:<jobId>`, PX ttl renewed while it runs) and the set of
 *   running jobs, so any runner can find a job whose runner died (lease gone) and fail it; a
 *   lease is only ever extended by its holder while the job is still listed (renew.lua);
 * - the ready sets: sessions that may have a prompt to start (nudged on PromptEnqueued and on
 *   every job end), one per machine (a session's prompts run on its machine only) plus one for
 *   sessions of no machine, so a runner at its concurrency limit leaves work for the others
 *   and an offline machine's sessions wait in its set;
 * - cancel marks: a cancel request reaches the runner holding the job even if it missed the
 *   pub/sub signal (checked on every lease renewal).
 */
type ScriptedRedis = RedisClient & {
  ccmNudge(ready: string, counter: string, sessionId: string): Promise<number>;
  ccmSettle(ready: string, sessionId: string, score: number): Promise<number>;
};

interface ScriptedPipeline extends ChainableCommander {
  ccmRenew(lease: string, running: string, runnerId: string, member: string, leaseMs: number): ScriptedPipeline;
}

export type RunningRef = { readonly sessionId: string; readonly jobId: string };

/**
 * A renewal round: jobs the phone asked to cancel, jobs whose lease this runner no longer
 * holds, and jobs whose lapsed lease it took back (Redis was away for longer than the lease).
 */
export type Renewal = { readonly cancelled: RunningRef[]; readonly lost: RunningRef[]; readonly retaken: RunningRef[] };

// Keys used together (one script, MULTI or MGET) share the `{runner}` hash tag, so they work on Redis Cluster.
export const runnerKeys = (prefix: string) => ({
  lease: (jobId: string) => `${prefix}{runner}:lease:${jobId}`,
  cancel: (jobId: string) => `${prefix}{runner}:cancel:${jobId}`,
  running: `${prefix}{runner}:running`,
  /** The ready set of a machine's sessions; null: of sessions that belong to no machine (any runner). */
  ready: (machineId: string | null) => (machineId === null ? `${prefix}{runner}:ready` : `${prefix}{runner}:ready:m:${machineId}`),
  readyCounter: `${prefix}{runner}:seq`,
  signals: `${prefix}runner:signals`,
});

const member = (ref: RunningRef) => `${ref.sessionId} ${ref.jobId}`;
const parseMember = (text: string): RunningRef | null => {
  const [sessionId, jobId] = text.split(" ");
  return sessionId && jobId ? { sessionId, jobId } : null;
};

export const createLeases = (redis: RedisClient, prefix: string, runnerId: string, leaseMs: number, machineId: string) => {
  const keys = runnerKeys(prefix);
  const scripted = redis as ScriptedRedis;
  defineScripts(redis, new URL("./scripts/", import.meta.url));

  return {
    keys,
    /** Taken before StartJob, so a runner dying right after it still leaves a findable job. */
    acquire: async (ref: RunningRef) => {
      await redis.multi().set(keys.lease(ref.jobId), runnerId, "PX", leaseMs).zadd(keys.running, Date.now(), member(ref)).exec();
    },
    /** Extends the leases this runner holds, or takes back one that lapsed while nobody else took it. */
    renew: async (refs: readonly RunningRef[]): Promise<Renewal> => {
      if (refs.length === 0) return { cancelled: [], lost: [], retaken: [] };
      const pipeline = redis.pipeline() as ScriptedPipeline;
      for (const ref of refs) pipeline.ccmRenew(keys.lease(ref.jobId), keys.running, runnerId, member(ref), leaseMs);
      const replies = await pipeline.exec();
      const cancels = await redis.mget(...refs.map((ref) => keys.cancel(ref.jobId)));
      // Only a definite answer counts; a call that failed (Redis away) is retried on the next round.
      const answered = (value: number) => refs.filter((_, index) => replies?.[index]?.[0] === null && replies[index]?.[1] === value);
      return { cancelled: refs.filter((_, index) => cancels[index] !== null), lost: answered(0), retaken: answered(2) };
    },
    release: async (ref: RunningRef) => {
      await redis.multi().del(keys.lease(ref.jobId), keys.cancel(ref.jobId)).zrem(keys.running, member(ref)).exec();
    },
    /** Running jobs whose lease has lapsed: their runner is gone. */
    lapsed: async (): Promise<RunningRef[]> => {
      const refs = (await redis.zrange(keys.running, 0, -1)).map(parseMember).filter((ref) => ref !== null);
      if (refs.length === 0) return [];
      const leases = await redis.mget(...refs.map((ref) => keys.lease(ref.jobId)));
      return refs.filter((_, index) => leases[index] === null);
    },
    /**
     * Marks a lapsed lease as swept before the job is failed, so that its runner (if it was only
     * cut off, not dead) cannot take it back meanwhile. False when the lease is no longer lapsed.
     */
    sweep: async (ref: RunningRef): Promise<boolean> => (await redis.set(keys.lease(ref.jobId), `swept-by-${runnerId}`, "PX", leaseMs, "NX")) === "OK",
    forgetRunning: async (ref: RunningRef) => void (await redis.zrem(keys.running, member(ref))),
    markCancel: async (jobId: string) => void (await redis.set(keys.cancel(jobId), "1", "PX", Math.max(leaseMs * 4, 60_000))),
    /** Puts a session in its machine's ready set (null: the set of sessions of no machine). */
    nudge: (sessionId: string, sessionMachine: string | null) => scripted.ccmNudge(keys.ready(sessionMachine), keys.readyCounter, sessionId),
    settle: (sessionId: string, score: number, sessionMachine: string | null) => scripted.ccmSettle(keys.ready(sessionMachine), sessionId, score),
    /** The oldest-nudged sessions this runner may start first (its machine's and those of no machine): [sessionId, nudge number, set]. */
    ready: async (count: number): Promise<[string, number, string | null][]> => {
      const out: [string, number, string | null][] = [];
      for (const set of [machineId, null]) {
        const flat = await redis.zrange(keys.ready(set), 0, count - 1, "WITHSCORES");
        for (let index = 0; index + 1 < flat.length; index += 2) out.push([flat[index] as string, Number(flat[index + 1]), set]);
      }
      return out.sort((a, b) => a[1] - b[1]).slice(0, count);
    },
  };
};

export type Leases = ReturnType<typeof createLeases>;
