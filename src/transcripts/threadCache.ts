import type { ThreadNode } from "./threadNode.ts";
import { buildGraph, mainThread } from "./threads.ts";
import { loadGraphRows, type FileRow, type GraphRow } from "./transcriptQueries.ts";
import type { TranscriptDb } from "./transcriptDb.ts";

/**
 * The threads of transcript files, kept between reads so a page costs the page, not the file.
 * A file's graph rows are loaded once; when the scanner has indexed more lines since, only the
 * new rows are loaded and the threads computed again in memory; when it indexed the file again
 * from the start (`generation` moved), everything is loaded again. Files are evicted least
 * recently used past `maxNodes` lines in all.
 */
export type LineRef = { readonly file: number; readonly lineNo: number };

export type ThreadCache = {
  /** Line numbers of the file's main thread, ascending. */
  mainThread(file: FileRow): Promise<readonly number[]>;
  /**
   * Every message line of the files (a session's main file first, then its subagents), merged
   * in time order with each file kept in its own order; `file` is the index in `files`.
   */
  allLines(files: readonly FileRow[]): Promise<readonly LineRef[]>;
};

type Entry = {
  generation: number;
  lineCount: number;
  readonly nodes: ThreadNode[];
  /** Time of each node (a line without one takes its predecessor's, so it keeps its place). */
  readonly times: number[];
  main: number[] | undefined;
};

const toNode = (row: GraphRow): ThreadNode => {
  const node: Record<string, unknown> = {
    uuid: row.uuid ?? `line:${row.lineNo}`,
    parentUuid: row.parentUuid,
    type: row.kind === "compact_boundary" ? "system" : row.kind,
    order: row.lineNo,
    flags: row.flags,
  };
  if (row.logicalParentUuid !== null) node["logicalParentUuid"] = row.logicalParentUuid;
  if (row.agentId !== null) node["agentId"] = row.agentId;
  if (row.messageId !== null) node["messageId"] = row.messageId;
  if (row.parentToolUseId !== null) node["parentToolUseId"] = row.parentToolUseId;
  return node as ThreadNode;
};

const addRows = (entry: Entry, rows: readonly GraphRow[]): void => {
  for (const row of rows) {
    entry.nodes.push(toNode(row));
    entry.times.push(row.ms ?? entry.times.at(-1) ?? Number.NEGATIVE_INFINITY);
  }
  entry.main = undefined;
};

/** K-way merge by time; ties go to the earlier file, so a single file is exactly its own order. */
const mergeByTime = (entries: readonly Entry[]): LineRef[] => {
  const next = entries.map(() => 0);
  const merged: LineRef[] = [];
  for (;;) {
    let best = -1;
    for (let f = 0; f < entries.length; f++) {
      const at = next[f] as number;
      const entry = entries[f] as Entry;
      if (at >= entry.nodes.length) continue;
      if (best === -1 || (entry.times[at] as number) < ((entries[best] as Entry).times[next[best] as number] as number)) best = f;
    }
    if (best === -1) return merged;
    const at = next[best] as number;
    merged.push({ file: best, lineNo: ((entries[best] as Entry).nodes[at] as ThreadNode).order });
    next[best] = at + 1;
  }
};

export const createThreadCache = (deps: { db: TranscriptDb; maxNodes?: number }): ThreadCache => {
  const maxNodes = deps.maxNodes ?? 200_000;
  const entries = new Map<number, Entry>();
  /** One refresh per file at a time: two concurrent reads must not append the same rows twice. */
  const refreshing = new Map<number, Promise<Entry>>();
  let held = 0;

  const evict = (): void => {
    for (const [id, entry] of entries) {
      if (held <= maxNodes || entries.size <= 1) return;
      entries.delete(id);
      held -= entry.nodes.length;
    }
  };

  const refresh = async (file: FileRow): Promise<Entry> => {
    let entry = entries.get(file.id);
    if (entry === undefined || entry.generation !== file.generation || entry.lineCount > file.lineCount) {
      if (entry !== undefined) held -= entry.nodes.length;
      entry = { generation: file.generation, lineCount: 0, nodes: [], times: [], main: undefined };
    }
    if (entry.lineCount < file.lineCount) {
      const rows = await loadGraphRows(deps.db, file.id, entry.lineCount, file.lineCount);
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
    mainThread: async (file) => {
      const entry = await fresh(file);
      entry.main ??= mainThread(buildGraph(entry.nodes)).map((node) => node.order);
      return entry.main;
    },
    allLines: async (files) => mergeByTime(await Promise.all(files.map(fresh))),
  };
};
