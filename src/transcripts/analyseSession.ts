import { isMessageLine, type MessageLine } from "./decodeLine.ts";
import { emptyCounts, type LineCounts, type ParsedFile } from "./parseFile.ts";
import { groupSubagents, type SubagentGroup } from "./subagents.ts";
import { agentResultLink, firstText, taskToolUses, toThreadNode, type ThreadNode } from "./threadNode.ts";
import { branches, buildGraph, mainThread, splitTurns, type Branch } from "./threads.ts";

/** Everything `ccm history show` reports about one session, computed from its parsed files. */
export type SessionAnalysis = {
  readonly sessionId: string | undefined;
  readonly cwd: string | undefined;
  readonly counts: LineCounts;
  readonly duplicates: number;
  readonly mainThread: readonly string[];
  readonly allThread: readonly string[];
  readonly branches: readonly Branch[];
  readonly subagents: readonly SubagentGroup[];
  readonly finalResponses: readonly string[];
  readonly lines: ReadonlyMap<string, MessageLine>;
};

export type SessionFiles = {
  readonly main: ParsedFile;
  readonly agents: ReadonlyArray<{ readonly file: ParsedFile; readonly agentId?: string; readonly toolUseId?: string }>;
};

/** Agent files sort after the main file; 2^32 lines per file is plenty. */
const FILE_STRIDE = 2 ** 32;

const addCounts = (total: LineCounts, part: LineCounts): void => {
  for (const key of Object.keys(total) as Array<keyof LineCounts>) total[key] += part[key];
};

/** Session id and cwd come from the lines, never from the folder name; the last id wins. */
const identity = (file: ParsedFile): { sessionId: string | undefined; cwd: string | undefined } => {
  let sessionId: string | undefined;
  let cwd: string | undefined;
  for (const { line } of file.lines) {
    if (line.kind === "invalid" || line.kind === "truncated" || line.kind === "summary") continue;
    const id = isMessageLine(line) ? line.env.sessionId : line.kind === "other" ? line.sessionId : undefined;
    if (id !== undefined) sessionId = id;
    if (cwd === undefined && isMessageLine(line)) cwd = line.env.cwd;
  }
  return { sessionId, cwd };
};

/** Text of the last assistant message (all its block lines) in a turn. */
const finalResponse = (turn: readonly ThreadNode[], lines: ReadonlyMap<string, MessageLine>): string => {
  const assistants = turn.filter((node) => node.type === "assistant");
  for (let i = assistants.length - 1; i >= 0; i--) {
    const last = assistants[i] as ThreadNode;
    const sameMessage = last.messageId === undefined ? [last] : assistants.filter((n) => n.messageId === last.messageId);
    const texts = sameMessage.flatMap((node) => {
      const line = lines.get(node.uuid);
      return line?.kind === "assistant" ? line.content.flatMap((b) => (b.type === "text" ? [b.text] : [])) : [];
    });
    const text = texts.join("\n").trim();
    if (text.length > 0) return text;
  }
  return "";
};

type Collected = { nodes: ThreadNode[]; lines: Map<string, MessageLine>; links: Parameters<typeof groupSubagents>[1] };

const collect = (files: SessionFiles): Collected => {
  const nodes: ThreadNode[] = [];
  const lines = new Map<string, MessageLine>();
  const taskUses: Array<{ id: string; prompt: string | undefined; order: number }> = [];
  const agentToolUse = new Map<string, string>();
  const rootPrompts = new Map<string, string>();
  const all = [{ file: files.main, agentId: undefined, toolUseId: undefined }, ...files.agents];
  all.forEach((entry, fileIndex) => {
    if (entry.agentId !== undefined && entry.toolUseId !== undefined) agentToolUse.set(entry.agentId, entry.toolUseId);
    for (const { lineNo, line } of entry.file.lines) {
      const order = fileIndex * FILE_STRIDE + lineNo;
      if (line.kind === "truncated" && line.uuid !== undefined && line.type !== undefined) {
        nodes.push({ uuid: line.uuid, parentUuid: line.parentUuid, type: line.type, order, flags: line.isSidechain ? 1 : 0 });
      }
      if (!isMessageLine(line)) continue;
      nodes.push(toThreadNode(line, order));
      if (!lines.has(line.env.uuid)) lines.set(line.env.uuid, line);
      for (const use of taskToolUses(line)) taskUses.push({ ...use, order });
      const link = agentResultLink(line);
      if (link !== undefined && !agentToolUse.has(link.agentId)) agentToolUse.set(link.agentId, link.toolUseId);
      const text = line.kind === "user" && line.env.isSidechain && line.env.parentUuid === null ? firstText(line.content) : undefined;
      if (text !== undefined) rootPrompts.set(line.env.uuid, text);
    }
  });
  return { nodes, lines, links: { taskUses, agentToolUse, rootPrompts } };
};

export const analyseSession = (files: SessionFiles): SessionAnalysis => {
  const { nodes, lines, links } = collect(files);
  const counts = emptyCounts();
  addCounts(counts, files.main.counts);
  for (const agent of files.agents) addCounts(counts, agent.file.counts);
  const graph = buildGraph(nodes);
  const main = mainThread(graph);
  return {
    ...identity(files.main),
    counts,
    duplicates: graph.duplicates,
    mainThread: main.map((node) => node.uuid),
    allThread: graph.ordered.map((node) => node.uuid),
    branches: branches(graph),
    subagents: groupSubagents(graph, links),
    finalResponses: splitTurns(main).map((turn) => finalResponse(turn, lines)),
    lines,
  };
};
