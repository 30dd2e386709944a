import { compareEntryIds, parsePosition } from "../eventStore/position.ts";
import type { Database } from "../infra/database.ts";

export type CheckpointSource = {
  onCheckpoint(listener: (projection: string, partition: number, entryId: string) => void): () => void;
};

export interface WaitDeps {
  readonly db: Database;
  /** Projections that must pass a position before a read counts as fresh. */
  readonly projections: readonly string[];
  /** The in-process projector, when there is one: wakes waiters at once. */
  readonly projector?: CheckpointSource;
  /** Polling interval: catches projectors in other processes. */
  readonly pollMs?: number;
}

/**
 * Read your writes: resolves true once every projection's checkpoint in the position's
 * partition is at or past its entry id, false when `timeoutMs` runs out first. A malformed
 * position is never reached (false at once).
 */
export const createPositionWaiter = (deps: WaitDeps) => {
  const pollMs = deps.pollMs ?? 100;

  const passed = async (partition: number, entryId: string): Promise<boolean> => {
    if (deps.projections.length === 0) return true;
    const rows = await deps.db.selectFrom("projection_checkpoints").select(["projection", "entry_id"])
      .where("partition", "=", partition).where("projection", "in", [...deps.projections]).execute();
    return deps.projections.every((name) => {
      const row = rows.find((candidate) => candidate.projection === name);
      return row !== undefined && compareEntryIds(row.entry_id as string, entryId) >= 0;
    });
  };

  return async (position: string, timeoutMs: number): Promise<boolean> => {
    const target = parsePosition(position);
    if (!target) return false;
    if (await passed(target.partition, target.entryId)) return true;
    const deadline = Date.now() + Math.max(0, timeoutMs);
    return new Promise<boolean>((resolve) => {
      let checking = false;
      let settled = false;
      const finish = (value: boolean) => {
        if (settled) return;
        settled = true;
        clearInterval(poller);
        clearTimeout(timer);
        unsubscribe();
        resolve(value);
      };
      const check = async () => {
        if (checking || settled) return;
        checking = true;
        try {
          if (await passed(target.partition, target.entryId)) finish(true);
        } catch {
          // A failed poll is retried at the next tick; the deadline still holds.
        } finally {
          checking = false;
        }
      };
      const poller = setInterval(() => void check(), pollMs);
      const timer = setTimeout(() => void passed(target.partition, target.entryId).then(finish, () => finish(false)), Math.max(0, deadline - Date.now()));
      const unsubscribe = deps.projector?.onCheckpoint((_projection, partition, entryId) => {
        if (partition === target.partition && compareEntryIds(entryId, target.entryId) >= 0) void check();
      }) ?? (() => undefined);
    });
  };
};
