import { str } from "../claude/jsonGuards.ts";
import { isMessageLine, type TranscriptLine } from "./decodeLine.ts";
import { countLine, emptyCounts, type LineCounts, type TruncatedLine } from "./parseFile.ts";
import { isWarmupRoot } from "./subagents.ts";
import { Flag, firstText, flagsOf } from "./threadNode.ts";

/**
 * What one scan of a file's new bytes adds to the index: a row per message line (its byte range
 * and graph fields) and the session facts seen in those lines. Built line by line, so the
 * scanner never holds decoded lines.
 */
export type LineRow = {
  readonly lineNo: number;
  readonly offset: number;
  readonly length: number;
  readonly kind: string;
  readonly uuid: string | null;
  readonly parentUuid: string | null;
  readonly logicalParentUuid: string | null;
  readonly flags: number;
  readonly agentId: string | null;
  readonly messageId: string | null;
  readonly parentToolUseId: string | null;
  readonly ts: string | null;
};

export type FileFacts = {
  sessionId?: string | undefined;
  cwd?: string | undefined;
  version?: string | undefined;
  gitBranch?: string | undefined;
  firstTs?: string | undefined;
  lastTs?: string | undefined;
  firstPrompt?: string | undefined;
  lastPrompt?: string | undefined;
  customTitle?: string | undefined;
  aiTitle?: string | undefined;
  leafUuid?: string | undefined;
  /** Whether the first message line of these bytes is a "Warmup" agent root (kept only for a file's first lines). */
  warmup?: boolean | undefined;
};

export type FileDelta = {
  readonly rows: LineRow[];
  readonly summaries: Array<{ lineNo: number; leafUuid: string; summary: string }>;
  readonly counts: LineCounts;
  readonly facts: FileFacts;
};

const PROMPT_CHARS = 500;

/** Only well-formed instants reach a timestamptz column. */
export const safeTimestamp = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
};

const noteTime = (facts: FileFacts, ts: string | undefined): void => {
  if (ts === undefined) return;
  if (facts.firstTs === undefined || ts < facts.firstTs) facts.firstTs = ts;
  if (facts.lastTs === undefined || ts > facts.lastTs) facts.lastTs = ts;
};

const noteMetadata = (facts: FileFacts, type: string, raw: Record<string, unknown>): void => {
  const sessionId = str(raw["sessionId"]);
  if (sessionId !== undefined) facts.sessionId = sessionId;
  if (type === "custom-title") facts.customTitle = str(raw["customTitle"]) ?? facts.customTitle;
  else if (type === "ai-title") facts.aiTitle = str(raw["aiTitle"]) ?? facts.aiTitle;
  else if (type === "last-prompt") {
    facts.lastPrompt = str(raw["lastPrompt"])?.slice(0, PROMPT_CHARS) ?? facts.lastPrompt;
    facts.leafUuid = str(raw["leafUuid"]) ?? facts.leafUuid;
  }
};

const truncatedRow = (lineNo: number, offset: number, length: number, line: TruncatedLine): LineRow | undefined =>
  line.uuid === undefined || line.type === undefined
    ? undefined
    : {
        lineNo, offset, length, kind: "truncated", uuid: line.uuid, parentUuid: line.parentUuid,
        logicalParentUuid: null, flags: line.isSidechain ? Flag.sidechain : 0, agentId: null, messageId: null,
        parentToolUseId: null, ts: safeTimestamp(line.timestamp) ?? null,
      };

export const createDeltaBuilder = (firstLineNo: number) => {
  const delta: FileDelta = { rows: [], summaries: [], counts: emptyCounts(), facts: {} };
  let lineNo = firstLineNo;

  const addMessage = (offset: number, length: number, line: Extract<TranscriptLine, { env: unknown }>): void => {
    const { env } = line;
    const ts = safeTimestamp(env.timestamp);
    const flags = flagsOf(line);
    const facts = delta.facts;
    noteTime(facts, ts);
    if (env.sessionId !== undefined) facts.sessionId = env.sessionId;
    if (facts.cwd === undefined && env.cwd !== undefined) facts.cwd = env.cwd;
    if (env.version !== undefined) facts.version = env.version;
    if (env.gitBranch !== undefined) facts.gitBranch = env.gitBranch;
    facts.warmup ??= isWarmupRoot(line);
    if (facts.firstPrompt === undefined && line.kind === "user" && (flags & Flag.humanPrompt) !== 0) {
      facts.firstPrompt = firstText(line.content)?.slice(0, PROMPT_CHARS);
    }
    delta.rows.push({
      lineNo, offset, length, kind: line.kind, uuid: env.uuid, parentUuid: env.parentUuid,
      logicalParentUuid: env.logicalParentUuid ?? null, flags, agentId: env.agentId ?? null,
      messageId: line.kind === "assistant" ? (line.messageId ?? null) : null,
      parentToolUseId: line.kind === "progress" ? (line.parentToolUseId ?? null) : null, ts: ts ?? null,
    });
  };

  const add = (offset: number, length: number, line: TranscriptLine | TruncatedLine): void => {
    countLine(delta.counts, line);
    if (isMessageLine(line)) addMessage(offset, length, line);
    else if (line.kind === "truncated") {
      const row = truncatedRow(lineNo, offset, length, line);
      if (row !== null && row !== undefined) delta.rows.push(row);
      noteTime(delta.facts, row?.ts ?? undefined);
    } else if (line.kind === "summary" && line.leafUuid !== undefined) {
      delta.summaries.push({ lineNo, leafUuid: line.leafUuid, summary: line.summary });
    } else if (line.kind === "other") noteMetadata(delta.facts, line.type, line.raw);
    lineNo++;
  };

  return { add, delta: () => delta, nextLineNo: () => lineNo };
};
