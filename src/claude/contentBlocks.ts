import { bool, isObject, obj, str, type JsonObject } from "./jsonGuards.ts";

/**
 * Message content blocks, shared by the stream-json decoder and the on-disk history reader
 * (claude-code-formats.md §2.5). Every block keeps the parsed object as `raw`, so fields we do
 * not model (citations, caller, cache_control, future additions) are never lost.
 *
 * A block whose `type` we do not know, or a known type missing a field we rely on, becomes
 * `{ type: "unknown", blockType, raw }` instead of failing the whole message.
 */
export type TextBlock = { readonly type: "text"; readonly text: string; readonly raw: JsonObject };
export type ThinkingBlock = {
  readonly type: "thinking";
  readonly thinking: string;
  /** Absent on some partial / older frames; "" when the CLI sends an empty one. */
  readonly signature?: string;
  readonly raw: JsonObject;
};
export type RedactedThinkingBlock = { readonly type: "redacted_thinking"; readonly data: string; readonly raw: JsonObject };
export type ToolUseBlock = {
  readonly type: "tool_use";
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
  readonly raw: JsonObject;
};
export type ServerToolUseBlock = {
  readonly type: "server_tool_use";
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
  readonly raw: JsonObject;
};
export type McpToolUseBlock = {
  readonly type: "mcp_tool_use";
  readonly id: string;
  readonly name: string;
  readonly serverName?: string;
  readonly input: unknown;
  readonly raw: JsonObject;
};
export type McpToolResultBlock = {
  readonly type: "mcp_tool_result";
  readonly toolUseId: string;
  readonly isError: boolean;
  readonly content: string | ContentBlock[];
  readonly raw: JsonObject;
};
export type ToolResultBlock = {
  readonly type: "tool_result";
  readonly toolUseId: string;
  readonly isError: boolean;
  /** A string, or nested blocks (text, image, document, …); absent content decodes as "". */
  readonly content: string | ContentBlock[];
  readonly raw: JsonObject;
};
export type ImageSource =
  | { readonly type: "base64"; readonly mediaType: string; readonly data: string }
  | { readonly type: "url"; readonly url: string }
  | { readonly type: "file"; readonly fileId: string }
  | { readonly type: "unknown"; readonly raw: unknown };
export type ImageBlock = { readonly type: "image"; readonly source: ImageSource; readonly raw: JsonObject };
export type DocumentBlock = {
  readonly type: "document";
  readonly source: unknown;
  readonly title?: string;
  readonly raw: JsonObject;
};
export type UnknownBlock = { readonly type: "unknown"; readonly blockType: string; readonly raw: unknown };

export type ContentBlock =
  | TextBlock
  | ThinkingBlock
  | RedactedThinkingBlock
  | ToolUseBlock
  | ServerToolUseBlock
  | McpToolUseBlock
  | McpToolResultBlock
  | ToolResultBlock
  | ImageBlock
  | DocumentBlock
  | UnknownBlock;

const unknownBlock = (raw: unknown): UnknownBlock => ({
  type: "unknown",
  blockType: isObject(raw) && typeof raw["type"] === "string" ? raw["type"] : "",
  raw,
});

const decodeText = (raw: JsonObject): ContentBlock => {
  const text = str(raw["text"]);
  return text === undefined ? unknownBlock(raw) : { type: "text", text, raw };
};

const decodeThinking = (raw: JsonObject): ContentBlock => {
  const thinking = str(raw["thinking"]);
  if (thinking === undefined) return unknownBlock(raw);
  const signature = str(raw["signature"]);
  return signature === undefined ? { type: "thinking", thinking, raw } : { type: "thinking", thinking, signature, raw };
};

const decodeRedactedThinking = (raw: JsonObject): ContentBlock => {
  const data = str(raw["data"]);
  return data === undefined ? unknownBlock(raw) : { type: "redacted_thinking", data, raw };
};

const decodeToolUse = (raw: JsonObject): ContentBlock => {
  const id = str(raw["id"]);
  const name = str(raw["name"]);
  if (id === undefined || name === undefined) return unknownBlock(raw);
  const input = raw["input"];
  if (raw["type"] === "tool_use") return { type: "tool_use", id, name, input, raw };
  if (raw["type"] === "server_tool_use") return { type: "server_tool_use", id, name, input, raw };
  const serverName = str(raw["server_name"]);
  return serverName === undefined
    ? { type: "mcp_tool_use", id, name, input, raw }
    : { type: "mcp_tool_use", id, name, serverName, input, raw };
};

/** tool_result / mcp_tool_result content: a string, an array of blocks, or absent. */
const decodeResultContent = (content: unknown): string | ContentBlock[] => {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map(decodeContentBlock);
  return "";
};

const decodeToolResult = (raw: JsonObject): ContentBlock => {
  const toolUseId = str(raw["tool_use_id"]);
  if (toolUseId === undefined) return unknownBlock(raw);
  const isError = bool(raw["is_error"]) ?? false;
  const content = decodeResultContent(raw["content"]);
  return raw["type"] === "tool_result"
    ? { type: "tool_result", toolUseId, isError, content, raw }
    : { type: "mcp_tool_result", toolUseId, isError, content, raw };
};

const decodeImageSource = (source: unknown): ImageSource => {
  const s = obj(source);
  if (s === undefined) return { type: "unknown", raw: source };
  if (s["type"] === "base64") {
    const mediaType = str(s["media_type"]);
    const data = str(s["data"]);
    if (mediaType !== undefined && data !== undefined) return { type: "base64", mediaType, data };
  } else if (s["type"] === "url") {
    const url = str(s["url"]);
    if (url !== undefined) return { type: "url", url };
  } else if (s["type"] === "file") {
    const fileId = str(s["file_id"]);
    if (fileId !== undefined) return { type: "file", fileId };
  }
  return { type: "unknown", raw: source };
};

const decodeDocument = (raw: JsonObject): ContentBlock => {
  const title = str(raw["title"]);
  return title === undefined
    ? { type: "document", source: raw["source"], raw }
    : { type: "document", source: raw["source"], title, raw };
};

const decoders: Record<string, (raw: JsonObject) => ContentBlock> = {
  text: decodeText,
  thinking: decodeThinking,
  redacted_thinking: decodeRedactedThinking,
  tool_use: decodeToolUse,
  server_tool_use: decodeToolUse,
  mcp_tool_use: decodeToolUse,
  tool_result: decodeToolResult,
  mcp_tool_result: decodeToolResult,
  image: (raw) => ({ type: "image", source: decodeImageSource(raw["source"]), raw }),
  document: decodeDocument,
};

/** Decodes one block; never throws. */
export const decodeContentBlock = (value: unknown): ContentBlock => {
  if (!isObject(value)) return unknownBlock(value);
  const type = value["type"];
  const decoder = typeof type === "string" && Object.hasOwn(decoders, type) ? decoders[type] : undefined;
  return decoder === undefined ? unknownBlock(value) : decoder(value);
};

/**
 * Decodes `message.content`. User messages may carry a plain string: it becomes one text block
 * (whose `raw` is synthesised; the line's own `raw` still holds the string). Anything that is
 * neither a string nor an array decodes to no blocks.
 */
export const decodeContent = (content: unknown): ContentBlock[] => {
  if (typeof content === "string") return [{ type: "text", text: content, raw: { type: "text", text: content } }];
  if (!Array.isArray(content)) return [];
  return content.map(decodeContentBlock);
};
