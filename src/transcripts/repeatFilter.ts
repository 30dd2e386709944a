/**
 * Remembers the last condition seen per key (a path, a kind of failure), so a condition that
 * persists is logged once, not on every scan or tick, and logged again only when it changes or
 * comes back after it cleared.
 */
export type RepeatFilter = {
  /** True when `key` was not last noted with this `signature`: the caller reports it. */
  isNew(key: string, signature: string): boolean;
  /** Forgets `key`; true when it had been noted, i.e. its condition just cleared. */
  clear(key: string): boolean;
  /** Forgets every key not in `keep` (their conditions went away). */
  retain(keep: ReadonlySet<string>): void;
};

export const createRepeatFilter = (): RepeatFilter => {
  const last = new Map<string, string>();
  return {
    isNew: (key, signature) => {
      if (last.get(key) === signature) return false;
      last.set(key, signature);
      return true;
    },
    clear: (key) => last.delete(key),
    retain: (keep) => {
      for (const key of last.keys()) if (!keep.has(key)) last.delete(key);
    },
  };
};
