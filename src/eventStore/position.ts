/**
 * A position names an event's place in its partition log: `<partition>:<entryId>`.
 * Read-your-writes compares positions within one partition.
 */
export interface Position {
  readonly partition: number;
  readonly entryId: string;
}

export const formatPosition = (partition: number, entryId: string): string => `${partition}:${entryId}`;

export const parsePosition = (text: string): Position | null => {
  const match = /^(\d+):(\d+)-(\d+)$/.exec(text);
  if (!match) return null;
  return { partition: Number(match[1]), entryId: `${match[2]}-${match[3]}` };
};

/** Orders two stream entry ids (`ms-seq`). */
export const compareEntryIds = (a: string, b: string): number => {
  const [aMs = 0n, aSeq = 0n] = a.split("-").map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split("-").map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
};

/** Whether `entryId` comes after `than` in its log (everything comes after null: the start). */
export const isAfter = (entryId: string, than: string | null): boolean => than === null || compareEntryIds(entryId, than) > 0;
