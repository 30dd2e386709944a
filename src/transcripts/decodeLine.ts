import { isUtf8 } from "node:buffer";
import { decodeContent, type ContentBlock } from "../claude/contentBlocks.ts";
import { bool, isObject, obj, str, type JsonObject } from "../claude/jsonGuards.ts";

/**
 * Decoder for one line of a Claude Code transcript (claude-code-formats.md §4, §6). Strict
 * where the features depend on it (`type`; `uuid` on message lines), forward-compatible
 * everywhere else: every decoded value keeps its parsed object as `raw`, known metadata lines
 * are opaque `other`, and an unseen `type` is surfaced as `unknown`, never dropped or thrown.
 */
export type LineEnvelope = {
  readonly uuid: string;
  readonly parentUuid: string | null;
  /** Only on compaction boundaries: the message before the boundary. */
  readonly logicalParentUuid?: string;
  readonly isSidechain: boolean;
  readonly isMeta: boolean;
  readonly agentId?: string;
  readonly sessionId?: string;
  readonly cwd?: string;
  readonly version?: string;
  readonly gitBranch?: string;
  readonly timestamp?: string;
};

export type UserLine = {
  readonly kind: "user";
  readonly env: LineEnvelope;
  readonly content: ContentBlock[];
  readonly isCompactSummary: boolean;
  readonly raw: JsonObject;
};
export type AssistantLine = {
  readonly kind: "assistant";
  readonly env: LineEnvelope;
  readonly messageId?: string;
  readonly content: ContentBlock[];
  readonly isApiError: boolean;
  readonly raw: JsonObject;
};
export type SystemLine = { readonly kind: "system"; readonly env: LineEnvelope; readonly subtype?: string; readonly raw: JsonObject };
export type CompactBoundaryLine = { readonly kind: "compact_boundary"; readonly env: LineEnvelope; readonly raw: JsonObject };
export type AttachmentLine = {
  readonly kind: "attachment";
  readonly env: LineEnvelope;
  readonly attachmentType?: string;
  readonly raw: JsonObject;
};
export type ProgressLine = {
  readonly kind: "progress";
  readonly env: LineEnvelope;
  readonly dataType?: string;
  readonly parentToolUseId?: string;
  readonly raw: JsonObject;
};
export type MessageLine = UserLine | AssistantLine | SystemLine | CompactBoundaryLine | AttachmentLine | ProgressLine;

export type SummaryLine = { readonly kind: "summary"; readonly summary: string; readonly leafUuid?: string; readonly raw: JsonObject };
/** A known metadata line (titles, queue operations, snapshots, cost, …), kept opaque. */
export type OtherLine = { readonly kind: "other"; readonly type: string; readonly sessionId?: string; readonly raw: JsonObject };
export type UnknownLine = { readonly kind: "unknown"; readonly type: string; readonly raw: JsonObject };
export type InvalidLine = {
  readonly kind: "invalid";
  readonly reason: "utf8" | "json" | "not_object" | "no_type" | "no_uuid";
};
export type TranscriptLine = MessageLine | SummaryLine | OtherLine | UnknownLine | InvalidLine;

export const MESSAGE_TYPES: ReadonlySet<string> = new Set(["user", "assistant", "system", "attachment", "progress"]);

/** Metadata types read from the 2.1.331 transcript loader (formats §4.7); all opaque. */
export const KNOWN_METADATA_TYPES: ReadonlySet<string> = new Set([
  "file-history-snapshot", "file-history-delta", "queue-operation", "last-prompt", "custom-title", "ai-title",
  "tag", "agent-name", "agent-color", "agent-setting", "mode", "permission-mode", "pr-link", "worktree-state",
  "cost-state", "tools-used", "atis-latch", "session-owner", "isolation-latch", "dev-mods", "memory-mode",
  "content-replacement", "fork-context-ref", "derived-from", "history-suppression", "ended-by-model", "relocated",
  "bridge-session", "attribution-snapshot", "data-flow-records", "data-flow-incomplete", "repl-mode",
  "hybrid-organization", "observer-ref", "continued-in", "resume-head-vouch", "frame-link", "host-row",
  "artifact-comment-monitor", "artifact-autoreact-ledger", "api-request", "api-request-shape",
  "api-request-blob", "api-request-resumed",
]);

const optional = <T extends object>(target: T, entries: Record<string, unknown>): T => {
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) (target as JsonObject)[key] = value;
  return target;
};

const decodeEnvelope = (raw: JsonObject): LineEnvelope | undefined => {
  const uuid = str(raw["uuid"]);
  if (uuid === undefined || uuid.length === 0) return undefined;
  const parent = raw["parentUuid"];
  return optional(
    {
      uuid,
      parentUuid: typeof parent === "string" && parent.length > 0 ? parent : null,
      isSidechain: bool(raw["isSidechain"]) ?? false,
      isMeta: bool(raw["isMeta"]) ?? false,
    },
    {
      logicalParentUuid: str(raw["logicalParentUuid"]),
      agentId: str(raw["agentId"]),
      sessionId: str(raw["sessionId"]),
      cwd: str(raw["cwd"]),
      version: str(raw["version"]),
      gitBranch: str(raw["gitBranch"]),
      timestamp: str(raw["timestamp"]),
    },
  );
};

const decodeMessage = (type: string, env: LineEnvelope, raw: JsonObject): MessageLine => {
  const message = obj(raw["message"]);
  switch (type) {
    case "user":
      return { kind: "user", env, content: decodeContent(message?.["content"]), isCompactSummary: raw["isCompactSummary"] === true, raw };
    case "assistant":
      return optional(
        { kind: "assistant", env, content: decodeContent(message?.["content"]), isApiError: raw["isApiErrorMessage"] === true, raw },
        { messageId: str(message?.["id"]) },
      ) as AssistantLine;
    case "system":
      if (raw["subtype"] === "compact_boundary") return { kind: "compact_boundary", env, raw };
      return optional({ kind: "system", env, raw }, { subtype: str(raw["subtype"]) }) as SystemLine;
    case "attachment":
      return optional({ kind: "attachment", env, raw }, { attachmentType: str(obj(raw["attachment"])?.["type"]) }) as AttachmentLine;
    default: {
      const data = obj(raw["data"]);
      return optional({ kind: "progress", env, raw }, {
        dataType: str(data?.["type"]),
        parentToolUseId: str(raw["parentToolUseID"]),
      }) as ProgressLine;
    }
  }
};

/** Decodes one parsed JSON value; never throws. */
export const decodeTranscriptValue = (value: unknown): TranscriptLine => {
  if (!isObject(value)) return { kind: "invalid", reason: "not_object" };
  const type = str(value["type"]);
  if (type === undefined || type.length === 0) return { kind: "invalid", reason: "no_type" };
  if (MESSAGE_TYPES.has(type)) {
    const env = decodeEnvelope(value);
    return env === undefined ? { kind: "invalid", reason: "no_uuid" } : decodeMessage(type, env, value);
  }
  if (type === "summary") {
    return optional({ kind: "summary", summary: str(value["summary"]) ?? "", raw: value }, {
      leafUuid: str(value["leafUuid"]),
    }) as SummaryLine;
  }
  if (KNOWN_METADATA_TYPES.has(type)) {
    return optional({ kind: "other", type, raw: value }, { sessionId: str(value["sessionId"]) }) as OtherLine;
  }
  return { kind: "unknown", type, raw: value };
};

/** Decodes the bytes of one line: invalid UTF-8 and non-JSON are reported, not thrown. */
export const decodeTranscriptLine = (bytes: Buffer): TranscriptLine => {
  if (!isUtf8(bytes)) return { kind: "invalid", reason: "utf8" };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { kind: "invalid", reason: "json" };
  }
  return decodeTranscriptValue(value);
};

export const isMessageLine = (line: { readonly kind: string }): line is MessageLine =>
  line.kind === "user" || line.kind === "assistant" || line.kind === "system" || line.kind === "compact_boundary" ||
  line.kind === "attachment" || line.kind === "progress";
