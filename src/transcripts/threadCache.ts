import type { ThreadNode } from "./threadNode.ts";
import { buildGraph, mainThread } from "./threads.ts";
import { loadLines, type FileRow, type IndexedLine, type TimedLine } from "./transcriptQueries.ts";
import type { TranscriptDb } from "./transcriptDb.ts";

/**
 * The indexed lines of transcript files and their threads, kept between reads so a page costs
 * the page, not the file: a page's rows come from here, with no query of their own. A file's rows
 * are loaded once; when the scanner has indexed more lines since, only the new rows are loaded
 * and the main thread is computed again in memory; when it indexed the file again from the start
 * (`generation` moved), everything is loaded again. Files are evicted least recently used past
 * `maxLines` rows in all.
 */
export type FileLines = {
  /** The file's message rows, in file order. */
  readonly rows: readonly IndexedLine[];
  /** Indexes in `rows` of the main thread, ascending. */
  readonly main: readonly number[];
};

/** A row of one of several files: `file` indexes the files asked for, `row` that file's rows. */
export type LineRef = { readonly file: number; readonly row: number };

export type ThreadCache = {
  lines(file: FileRow): Promise<FileLines>;
  /**
   * Every message line of the files (a session's main file first, then its subagents), merged
   * in time order with each file kept in its own order, and each file's rows.
   */
  allLines(files: readonly FileRow[]): Promise<{ refs: LineRef[]; rows: ReadonlyArray<readonly IndexedLine[]> }>;
};

type Entry = {
  readonly generation: number;
  lineCount: number;
  readonly rows: IndexedLine[];
  /** Time of each row (a line without one takes its predecessor's, so it keeps its place). */
  readonly times: number[];
  main: number[] | undefined;
};

const toNode = (row: IndexedLine, index: number): ThreadNode => {
  const node: Record<string, unknown> = {
    uuid: row.uuid ?? `line:${row.lineNo}`,
    parentUuid: row.parentUuid,
    type: row.kind === "compact_boundary" ? "system" : row.kind,
    order: index,
    flags: row.flags,
  };
  if (row.logicalParentUuid !== null) node["logicalParentUuid"] = row.logicalParentUuid;
  if (row.agentId !== null) node["agentId"] = row.agentId;
  if (row.messageId !== null) node["messageId"] = row.messageId;
  if (row.parentToolUseId !== null) node["parentToolUseId"] = row.parentToolUseId;
  return node as ThreadNode;
};

const addRows = (entry: Entry, rows: readonly TimedLine[]): void => {
  for (const { ms, ...row } of rows) {
    entry.rows.push(row);
    entry.times.push(ms ?? entry.times.at(-1) ?? Number.NEGATIVE_INFINITY);
  }
  if (rows.length > 0) entry.main = undefined;
};

/** K-way merge by time; ties go to the earlier file, so a single file is exactly its own order. */
const mergeByTime = (entries: readonly Entry[]): LineRef[] => {
  const next = entries.map(() => 0);
  const merged: LineRef[] = [];
  const timeOf = (f: number): number => (entries[f] as Entry).times[next[f] as number] as number;
  for (;;) {
    let best = -1;
    for (let f = 0; f < entries.length; f++) {
      if ((next[f] as number) >= (entries[f] as Entry).rows.length) continue;
      if (best === -1 || timeOf(f) < timeOf(best)) best = f;
    }
    if (best === -1) return merged;
    merged.push({ file: best, row: next[best] as number });
    next[best] = (next[best] as number) + 1;
  }
};

export const createThreadCache = (deps: { db: TranscriptDb; maxLines?: number }): ThreadCache => {
  const maxLines = deps.maxLines ?? 100_000;
  const entries = new Map<number, Entry>();
  /** One refresh per file at a time: two concurrent reads must not append the same rows twice. */
  const refreshing = new Map<number, Promise<Entry>>();
  let held = 0;

  const evict = (): void => {
    for (const [id, entry] of entries) {
      if (held <= maxLines || entries.size <= 1) return;
      entries.delete(id);
      held -= entry.rows.length;
    }
  };

  const refresh = async (file: FileRow): Promise<Entry> => {
    let entry = entries.get(file.id);
    if (entry === undefined || entry.generation !== file.generation || entry.lineCount > file.lineCount) {
      if (entry !== undefined) held -= entry.rows.length;
      entry = { generation: file.generation, lineCount: 0, rows: [], times: [], main: undefined };
    }
    if (entry.lineCount < file.lineCount) {
      const rows = await loadLines(deps.db, file.id, entry.lineCount, file.lineCount);
      addRows(entry, rows);
      held += rows.length;
      entry.lineCount = file.lineCount;
    }
    entries.delete(file.id); // re-inserted last: the map's order is the recency order
    entries.set(file.id, entry);
    evict();
    return entry;
  };

  const fresh = (file: FileRow): Promise<Entry> => {
    const running = refreshing.get(file.id);
    const task = (running ?? Promise.resolve()).then(() => refresh(file), () => refresh(file));
    refreshing.set(file.id, task);
    const forget = () => {
      if (refreshing.get(file.id) === task) refreshing.delete(file.id);
    };
    task.then(forget, forget);
    return task;
  };

  return {
    lines: async (file) => {
      const entry = await fresh(file);
      entry.main ??= mainThread(buildGraph(entry.rows.map(toNode))).map((node) => node.order);
      return { rows: entry.rows, main: entry.main };
    },
    allLines: async (files) => {
      const loaded = await Promise.all(files.map(fresh));
      return { refs: mergeByTime(loaded), rows: loaded.map((entry) => entry.rows) };
    },
  };
};
