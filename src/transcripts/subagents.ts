import type { MessageLine } from "./decodeLine.ts";
import { firstText, Flag, has, type ThreadNode } from "./threadNode.ts";
import type { Graph } from "./threads.ts";

/**
 * Subagent lines grouped under the Task/Agent tool use that started them (formats §5.2):
 * ≤1.0.x inline sidechains (matched by prompt text, else by order), 2.0/2.1 agent files (by the
 * agentId the tool result reports or the `.meta.json` toolUseId), and 2.1.3x `agent_progress`
 * mirrors in the parent file (by `parentToolUseID`).
 */
export type SubagentGroup = {
  readonly key: string;
  readonly source: "inline" | "file" | "progress";
  readonly agentId?: string;
  readonly toolUseId?: string;
  readonly uuids: readonly string[];
};

export type SubagentLinks = {
  /** Task/Agent tool uses on main-file lines, in file order. */
  readonly taskUses: ReadonlyArray<{ id: string; prompt: string | undefined; order: number }>;
  /** agentId → tool use id, from tool results and `.meta.json` files. */
  readonly agentToolUse: ReadonlyMap<string, string>;
  /** Prompt text of sidechain roots (inline sidechains have no explicit link). */
  readonly rootPrompts: ReadonlyMap<string, string>;
};

/**
 * CLI 2.0.x writes a pair of "Warmup" agent files beside every session (formats §5.2): a cache
 * warm-up whose only prompt is "Warmup", not a subagent anyone started. An agent file whose root
 * prompt is that is left out of a session's subagents.
 */
export const isWarmupRoot = (line: MessageLine): boolean =>
  line.kind === "user" && line.env.isSidechain && line.env.parentUuid === null && firstText(line.content)?.trim() === "Warmup";

type Draft = { key: string; source: SubagentGroup["source"]; agentId?: string; toolUseId?: string; nodes: ThreadNode[] };

const sidechainRoot = (graph: Graph, node: ThreadNode): ThreadNode => {
  const seen = new Set<string>();
  let current = node;
  while (current.parentUuid !== null && !seen.has(current.uuid)) {
    seen.add(current.uuid);
    const parent = graph.nodes.get(current.parentUuid);
    if (parent === undefined || !has(parent, Flag.sidechain)) break;
    current = parent;
  }
  return current;
};

const draftFor = (graph: Graph, node: ThreadNode): Omit<Draft, "nodes"> | undefined => {
  if (has(node, Flag.sidechain)) {
    if (node.agentId !== undefined) return { key: `agent:${node.agentId}`, source: "file", agentId: node.agentId };
    return { key: `inline:${sidechainRoot(graph, node).uuid}`, source: "inline" };
  }
  if (has(node, Flag.agentProgress) && node.parentToolUseId !== undefined) {
    return { key: `progress:${node.parentToolUseId}`, source: "progress", toolUseId: node.parentToolUseId };
  }
  return undefined;
};

const matchInline = (drafts: Draft[], links: SubagentLinks): void => {
  const used = new Set<string>();
  for (const draft of drafts) if (draft.toolUseId !== undefined) used.add(draft.toolUseId);
  const inline = drafts.filter((draft) => draft.source === "inline");
  for (const draft of inline) {
    const prompt = links.rootPrompts.get(draft.key.slice("inline:".length));
    const use = links.taskUses.find((task) => !used.has(task.id) && prompt !== undefined && task.prompt === prompt);
    if (use !== undefined) {
      draft.toolUseId = use.id;
      used.add(use.id);
    }
  }
  for (const draft of inline) {
    if (draft.toolUseId !== undefined) continue;
    const rootOrder = draft.nodes[0]?.order ?? 0;
    const before = links.taskUses.filter((task) => !used.has(task.id) && task.order < rootOrder);
    const use = before[before.length - 1];
    if (use !== undefined) {
      draft.toolUseId = use.id;
      used.add(use.id);
    }
  }
};

export const groupSubagents = (graph: Graph, links: SubagentLinks): SubagentGroup[] => {
  const drafts = new Map<string, Draft>();
  for (const node of graph.ordered) {
    const shape = draftFor(graph, node);
    if (shape === undefined) continue;
    const draft = drafts.get(shape.key) ?? { ...shape, nodes: [] };
    draft.nodes.push(node);
    drafts.set(shape.key, draft);
  }
  for (const draft of drafts.values()) {
    const viaAgent = draft.agentId === undefined ? undefined : links.agentToolUse.get(draft.agentId);
    if (draft.toolUseId === undefined && viaAgent !== undefined) draft.toolUseId = viaAgent;
  }
  matchInline([...drafts.values()], links);
  return [...drafts.values()].map((draft) => {
    const group: Record<string, unknown> = { key: draft.key, source: draft.source, uuids: draft.nodes.map((n) => n.uuid) };
    if (draft.agentId !== undefined) group["agentId"] = draft.agentId;
    if (draft.toolUseId !== undefined) group["toolUseId"] = draft.toolUseId;
    return group as SubagentGroup;
  });
};
