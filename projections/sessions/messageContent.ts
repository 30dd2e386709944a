/**
 * Turns one CLI stream-json frame (the `message` of RunnerEventEmitted) into what the phone
 * renders: the role, the ordered content blocks and their plain text. Forward-compatible:
 * unknown block types are kept as they are; only bulky fields the phone cannot use are cut.
 */
export type Block = Record<string, unknown>;

export interface FrameMessage {
  readonly role: "assistant" | "user";
  /** The Anthropic API message id: consecutive frames of one API message share it. */
  readonly apiMessageId: string | null;
  readonly claudeSessionId: string | null;
  readonly blocks: readonly Block[];
  readonly text: string;
}

/** A block larger than this (as JSON) keeps its identity but loses its payload. */
export const MAX_BLOCK_BYTES = 64 * 1024;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const stringOr = (value: unknown, fallback: string | null): string | null => (typeof value === "string" ? value : fallback);

/** Signatures, redacted thinking and image bytes are useless on the phone and large. */
const slim = (block: Block): Block => {
  switch (block["type"]) {
    case "thinking": {
      const { signature: _signature, ...rest } = block;
      return rest;
    }
    case "redacted_thinking":
      return { type: "redacted_thinking" };
    case "image":
      return { type: "image", omitted: true, mediaType: isRecord(block["source"]) ? (block["source"]["media_type"] ?? null) : null };
    default:
      return block;
  }
};

const KEEP_WHEN_TRUNCATED = ["type", "id", "name", "tool_use_id", "is_error"];

/** Oversized blocks become a marker the phone can show ("output truncated, N bytes"). */
const capped = (block: Block): Block => {
  const json = JSON.stringify(block);
  const bytes = Buffer.byteLength(json, "utf8");
  // Postgres text and jsonb cannot hold NUL characters.
  if (bytes <= MAX_BLOCK_BYTES) return json.includes("\\u0000") ? (JSON.parse(json.replaceAll("\\u0000", "\\ufffd")) as Block) : block;
  const kept = Object.fromEntries(KEEP_WHEN_TRUNCATED.filter((key) => key in block).map((key) => [key, block[key]]));
  return { ...kept, truncated: true, originalBytes: bytes };
};

const toBlocks = (content: unknown): Block[] => {
  if (typeof content === "string") return content.length > 0 ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content.filter(isRecord).map((block) => capped(slim(block)));
};

export const textOf = (blocks: readonly Block[]): string =>
  blocks.flatMap((block) => (block["type"] === "text" && typeof block["text"] === "string" ? [block["text"]] : [])).join("\n");

/**
 * The conversation message in a frame, or null for frames that are not one: system and result
 * frames, echoes of our own prompt (`isReplay`) and a subagent's inner turns
 * (`parent_tool_use_id`), which the archive keeps but the conversation view does not show.
 */
export const frameMessage = (kind: string, frame: Record<string, unknown>): FrameMessage | null => {
  if (kind !== "assistant" && kind !== "user") return null;
  if (frame["isReplay"] === true || typeof frame["parent_tool_use_id"] === "string") return null;
  const inner = isRecord(frame["message"]) ? frame["message"] : {};
  const blocks = toBlocks(inner["content"]);
  return {
    role: kind,
    apiMessageId: kind === "assistant" ? stringOr(inner["id"], null) : null,
    claudeSessionId: stringOr(frame["session_id"], null),
    blocks,
    text: textOf(blocks),
  };
};
