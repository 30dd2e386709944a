/**
 * Merges a session's own messages (from its events) with the lines of its linked Claude session
 * (from its transcript files): one list, each uuid once, in time order. The same turn is usually in
 * both (the runner saw it on stdout, the CLI wrote it to disk); the session's own copy wins, since
 * it carries our ids (prompt, job) and is what the phone already showed.
 */
export type Mergeable = { readonly uuid?: string | null; readonly timestamp?: string | null };

const timeOf = (item: Mergeable): number => {
  const ms = item.timestamp == null ? Number.NaN : Date.parse(item.timestamp);
  return Number.isFinite(ms) ? ms : Number.POSITIVE_INFINITY;
};

export const mergeSessionMessages = <A extends Mergeable, B extends Mergeable>(
  own: readonly A[],
  claude: readonly B[],
): Array<A | B> => {
  const seen = new Set<string>();
  const tagged: Array<{ item: A | B; source: number; index: number }> = [];
  const add = (item: A | B, source: number, index: number): void => {
    if (item.uuid != null) {
      if (seen.has(item.uuid)) return;
      seen.add(item.uuid);
    }
    tagged.push({ item, source, index });
  };
  own.forEach((item, index) => add(item, 0, index));
  claude.forEach((item, index) => add(item, 1, index));
  // Stable: by time, then the session's own order before the file's, then original position.
  tagged.sort((a, b) => timeOf(a.item) - timeOf(b.item) || a.source - b.source || a.index - b.index);
  return tagged.map((entry) => entry.item);
};
