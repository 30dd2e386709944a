import type { ContentBlock } from "../claude/contentBlocks.ts";
import { isObject, str } from "../claude/jsonGuards.ts";
import type { MessageLine } from "./decodeLine.ts";

/**
 * The little a thread computation needs to know about one message line. It is built either from
 * a fully decoded line (`show`, tests) or from a row of the index (routes), so threads can be
 * computed without parsing the file again.
 */
export type ThreadNode = {
  readonly uuid: string;
  readonly parentUuid: string | null;
  readonly logicalParentUuid?: string;
  readonly type: string;
  readonly order: number;
  readonly flags: number;
  readonly agentId?: string;
  readonly messageId?: string;
  /** Task/Agent tool use id this line belongs to (progress lines: `parentToolUseID`). */
  readonly parentToolUseId?: string;
};

export const Flag = {
  sidechain: 1,
  compactSummary: 2,
  toolResultOnly: 4,
  humanPrompt: 8,
  meta: 16,
  agentProgress: 32,
  hasText: 64,
} as const;

export const has = (node: ThreadNode, flag: number): boolean => (node.flags & flag) !== 0;

/** Text that the CLI injects as a user line but that no human typed as a prompt. */
const NOT_A_PROMPT = /^\s*(<local-command-|<system-reminder>|\[Request interrupted|<task-notification>|Caveat: )/;

export const firstText = (blocks: readonly ContentBlock[]): string | undefined => {
  for (const block of blocks) if (block.type === "text") return block.text;
  return undefined;
};

const userFlags = (line: Extract<MessageLine, { kind: "user" }>): number => {
  let flags = 0;
  const results = line.content.filter((block) => block.type === "tool_result").length;
  if (results > 0 && results === line.content.length) flags |= Flag.toolResultOnly;
  if (line.isCompactSummary) flags |= Flag.compactSummary;
  const text = firstText(line.content);
  if (text !== undefined) flags |= Flag.hasText;
  const human = results === 0 && text !== undefined && !NOT_A_PROMPT.test(text);
  if (human && !line.env.isMeta && !line.isCompactSummary && !line.env.isSidechain) flags |= Flag.humanPrompt;
  return flags;
};

export const flagsOf = (line: MessageLine): number => {
  let flags = (line.env.isSidechain ? Flag.sidechain : 0) | (line.env.isMeta ? Flag.meta : 0);
  if (line.kind === "user") flags |= userFlags(line);
  if (line.kind === "assistant" && firstText(line.content) !== undefined) flags |= Flag.hasText;
  if (line.kind === "progress" && line.dataType === "agent_progress") flags |= Flag.agentProgress;
  return flags;
};

export const toThreadNode = (line: MessageLine, order: number): ThreadNode => {
  const node: Record<string, unknown> = {
    uuid: line.env.uuid,
    parentUuid: line.env.parentUuid,
    type: line.kind === "compact_boundary" ? "system" : line.kind,
    order,
    flags: flagsOf(line),
  };
  if (line.env.logicalParentUuid !== undefined) node["logicalParentUuid"] = line.env.logicalParentUuid;
  if (line.env.agentId !== undefined) node["agentId"] = line.env.agentId;
  if (line.kind === "assistant" && line.messageId !== undefined) node["messageId"] = line.messageId;
  if (line.kind === "progress" && line.parentToolUseId !== undefined) node["parentToolUseId"] = line.parentToolUseId;
  return node as ThreadNode;
};

/** Task/Agent tool uses on an assistant line, with their prompt (inline sidechains match by it). */
export const taskToolUses = (line: MessageLine): Array<{ id: string; prompt: string | undefined }> => {
  if (line.kind !== "assistant") return [];
  const found: Array<{ id: string; prompt: string | undefined }> = [];
  for (const block of line.content) {
    if (block.type !== "tool_use" || (block.name !== "Task" && block.name !== "Agent")) continue;
    found.push({ id: block.id, prompt: isObject(block.input) ? str(block.input["prompt"]) : undefined });
  }
  return found;
};

/** `agentId` reported back to the parent in a Task tool result (2.0+: `toolUseResult.agentId`). */
export const agentResultLink = (line: MessageLine): { toolUseId: string; agentId: string } | undefined => {
  if (line.kind !== "user") return undefined;
  const result = line.content.find((block) => block.type === "tool_result");
  if (result === undefined || result.type !== "tool_result") return undefined;
  const toolUseResult = line.raw["toolUseResult"];
  const agentId = isObject(toolUseResult) ? str(toolUseResult["agentId"]) : undefined;
  if (agentId !== undefined) return { toolUseId: result.toolUseId, agentId };
  const text = typeof result.content === "string" ? result.content : firstText(result.content);
  const match = text === undefined ? null : /agentId: ([A-Za-z0-9_-]+)/.exec(text);
  return match?.[1] === undefined ? undefined : { toolUseId: result.toolUseId, agentId: match[1] };
};
