import { isUtf8 } from "node:buffer";
import { frameMessage, type Block } from "../../projections/sessions/messageContent.ts";
import { isObject, obj, str } from "../claude/jsonGuards.ts";
import { Flag } from "./threadNode.ts";
import type { IndexedLine } from "./transcriptQueries.ts";

/**
 * One transcript line as the history routes serve it: its place in the conversation graph
 * (`uuid`, `parentUuid`, `lineNo`, sidechain, agent) and its content in the same block model as
 * a session's messages (`content` and `text` as `session_messages` hold them: thinking without
 * signatures, images without their bytes, blocks over 64 KB as truncation markers), so one
 * renderer shows both.
 */
export type TranscriptMessage = {
  readonly lineNo: number;
  readonly uuid: string | null;
  readonly parentUuid: string | null;
  /** user, assistant, system, attachment, progress; `truncated` for a line over the size limit. */
  readonly type: string;
  /** The system subtype (compact_boundary, …), the attachment's or the progress data's type. */
  readonly subtype: string | null;
  readonly timestamp: string | null;
  readonly isSidechain: boolean;
  readonly isMeta: boolean;
  /** The subagent whose transcript holds the line; null in the session's own file. */
  readonly agentId: string | null;
  /** Lines of one API response share it (the CLI writes one line per content block). */
  readonly apiMessageId: string | null;
  /** The line was over the size limit: its body was never read. */
  readonly truncated: boolean;
  readonly bytes: number;
  readonly text: string;
  readonly content: Block[];
};

type Body = Record<string, unknown>;

const parse = (bytes: Buffer | undefined): Body | undefined => {
  if (bytes === undefined || !isUtf8(bytes)) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
};

const subtypeOf = (type: string, body: Body): string | null =>
  (type === "system" ? str(body["subtype"]) : type === "attachment" ? str(obj(body["attachment"])?.["type"]) : type === "progress" ? str(obj(body["data"])?.["type"]) : undefined) ??
  null;

/** Content and text: user and assistant lines carry the API message the stream frames carry. */
const contentOf = (type: string, body: Body): { content: Block[]; text: string; apiMessageId: string | null } => {
  if (type === "user" || type === "assistant") {
    const message = frameMessage(type, body);
    if (message !== null) return { content: [...message.blocks], text: message.text, apiMessageId: message.apiMessageId };
  }
  // A system line's text (a compaction, a model fallback notice) is its `content` string.
  const text = type === "system" ? (str(body["content"]) ?? "") : "";
  return { content: text.length > 0 ? [{ type: "text", text }] : [], text, apiMessageId: null };
};

export const toTranscriptMessage = (row: IndexedLine, bytes: Buffer | undefined, agentId: string | null): TranscriptMessage => {
  const truncated = row.kind === "truncated";
  const type = row.kind === "compact_boundary" ? "system" : row.kind;
  const body = truncated ? undefined : parse(bytes);
  const { content, text, apiMessageId } = body === undefined ? { content: [], text: "", apiMessageId: null } : contentOf(type, body);
  return {
    lineNo: row.lineNo, uuid: row.uuid, parentUuid: row.parentUuid, type,
    subtype: body === undefined ? null : subtypeOf(type, body),
    timestamp: row.ts, isSidechain: (row.flags & Flag.sidechain) !== 0, isMeta: (row.flags & Flag.meta) !== 0,
    agentId, apiMessageId, truncated, bytes: row.length, text, content,
  };
};
