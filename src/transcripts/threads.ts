import { Flag, has, type ThreadNode } from "./threadNode.ts";

/**
 * Conversation graph of one Claude session (claude-code-formats.md §5): duplicate uuids
 * collapsed, the main thread walked up from its leaf (across compaction boundaries), every branch
 * tip, and sidechain lines grouped under the tool use that started them. Every walk keeps a
 * visited set, so a corrupt file with a parent cycle cannot loop.
 */
export type Graph = {
  readonly nodes: ReadonlyMap<string, ThreadNode>;
  readonly children: ReadonlyMap<string, readonly ThreadNode[]>;
  /** Distinct nodes in file order. */
  readonly ordered: readonly ThreadNode[];
  /** Collapsed repeats of a uuid seen earlier (`--continue` copies, duplicated writes). */
  readonly duplicates: number;
};

export const buildGraph = (all: readonly ThreadNode[]): Graph => {
  const nodes = new Map<string, ThreadNode>();
  let duplicates = 0;
  for (const node of all) {
    if (nodes.has(node.uuid)) duplicates++;
    else nodes.set(node.uuid, node);
  }
  const children = new Map<string, ThreadNode[]>();
  for (const node of nodes.values()) {
    if (node.parentUuid === null) continue;
    const list = children.get(node.parentUuid);
    if (list === undefined) children.set(node.parentUuid, [node]);
    else list.push(node);
  }
  const ordered = [...nodes.values()].sort((a, b) => a.order - b.order);
  return { nodes, children, ordered, duplicates };
};

const isMainCandidate = (node: ThreadNode): boolean =>
  !has(node, Flag.sidechain) && node.type !== "progress";

/** A tip: a main-chain line nothing but progress lines hang off. */
const isTip = (graph: Graph, node: ThreadNode): boolean =>
  isMainCandidate(node) && !(graph.children.get(node.uuid) ?? []).some(isMainCandidate);

export const tips = (graph: Graph): ThreadNode[] => graph.ordered.filter((node) => isTip(graph, node));

/** The newest tip in file order is the current conversation (edits and rewinds append). */
export const findLeaf = (graph: Graph): ThreadNode | undefined => {
  let leaf: ThreadNode | undefined;
  for (const node of graph.nodes.values()) {
    if (isTip(graph, node) && (leaf === undefined || node.order > leaf.order)) leaf = node;
  }
  return leaf;
};

/**
 * Where a root continues: a compaction boundary through `logicalParentUuid`; a 1.0.x compact
 * summary (a new root, nothing links it back) through the last main line written before it.
 */
const logicalParent = (graph: Graph, node: ThreadNode): string | undefined => {
  if (node.logicalParentUuid !== undefined) return node.logicalParentUuid;
  if (!has(node, Flag.compactSummary)) return undefined;
  let best: ThreadNode | undefined;
  for (const other of graph.ordered) {
    if (other.order >= node.order) break;
    if (isMainCandidate(other)) best = other;
  }
  return best !== undefined && graph.nodes.has(best.uuid) ? best.uuid : undefined;
};

/** Walks up from `leaf`; returns the path root-first. */
export const pathTo = (graph: Graph, leaf: ThreadNode, followCompaction = true): ThreadNode[] => {
  const path: ThreadNode[] = [];
  const seen = new Set<string>();
  let current: ThreadNode | undefined = leaf;
  while (current !== undefined && !seen.has(current.uuid)) {
    seen.add(current.uuid);
    path.push(current);
    const next: string | undefined =
      current.parentUuid ?? (followCompaction ? logicalParent(graph, current) : undefined);
    current = next === undefined ? undefined : graph.nodes.get(next);
  }
  return path.reverse();
};

/**
 * The main thread: the leaf's path plus the lines the CLI writes beside it for parallel tool
 * calls (sibling blocks of one API message and their tool results hang off different parents),
 * in file order. Sidechain and progress-mirrored subagent lines are never part of it.
 */
export const mainThread = (graph: Graph): ThreadNode[] => {
  const leaf = findLeaf(graph);
  if (leaf === undefined) return [];
  const path = pathTo(graph, leaf);
  const included = new Set(path.map((node) => node.uuid));
  const messageIds = new Set(path.flatMap((node) => (node.messageId === undefined ? [] : [node.messageId])));
  const extra: ThreadNode[] = [];
  for (const node of graph.nodes.values()) {
    if (included.has(node.uuid) || has(node, Flag.sidechain)) continue;
    if (node.messageId !== undefined && messageIds.has(node.messageId)) extra.push(node);
  }
  for (const node of extra) included.add(node.uuid);
  for (const node of graph.nodes.values()) {
    if (included.has(node.uuid) || has(node, Flag.sidechain) || !has(node, Flag.toolResultOnly)) continue;
    if (node.parentUuid !== null && included.has(node.parentUuid)) extra.push(node);
  }
  return [...path, ...extra].sort((a, b) => a.order - b.order);
};

export type Branch = { readonly leafUuid: string; readonly uuids: readonly string[]; readonly isMain: boolean };

/** Every tip's path; tips the main thread already holds (parallel tool results) are not branches. */
export const branches = (graph: Graph): Branch[] => {
  const leaf = findLeaf(graph);
  const main = new Set(mainThread(graph).map((node) => node.uuid));
  const own = tips(graph).filter((tip) => tip.uuid === leaf?.uuid || !main.has(tip.uuid));
  return own.map((tip) => ({
    leafUuid: tip.uuid,
    uuids: pathTo(graph, tip).map((node) => node.uuid),
    isMain: tip.uuid === leaf?.uuid,
  }));
};

/** Turns of a thread: each starts at a human prompt and runs until the next one. */
export const splitTurns = (thread: readonly ThreadNode[]): ThreadNode[][] => {
  const turns: ThreadNode[][] = [];
  for (const node of thread) {
    if (has(node, Flag.humanPrompt) && node.type === "user") turns.push([node]);
    else turns[turns.length - 1]?.push(node);
  }
  return turns;
};
