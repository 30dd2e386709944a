import { decodeContentBlock, type ContentBlock } from "./contentBlocks.ts";
import { isObject, num, obj, str, strOrNull, type JsonObject } from "./jsonGuards.ts";

/**
 * The `event` inside a `stream_event` frame (claude-code-formats.md §2.6): a raw Messages API
 * stream event, only present with `--include-partial-messages`. Live-only: shown while the model
 * types, never stored. Unknown event and delta types stay opaque.
 */
export type StreamDelta =
  | { readonly type: "text_delta"; readonly text: string }
  | { readonly type: "thinking_delta"; readonly thinking: string }
  | { readonly type: "input_json_delta"; readonly partialJson: string }
  | { readonly type: "signature_delta"; readonly signature: string }
  | { readonly type: "unknown"; readonly deltaType: string; readonly raw: unknown };

export type StreamEvent =
  | {
      readonly type: "message_start";
      readonly messageId?: string;
      readonly model?: string;
      readonly usage?: JsonObject;
    }
  | { readonly type: "content_block_start"; readonly index: number; readonly contentBlock: ContentBlock }
  | { readonly type: "content_block_delta"; readonly index: number; readonly delta: StreamDelta }
  | { readonly type: "content_block_stop"; readonly index: number }
  | { readonly type: "message_delta"; readonly stopReason: string | null; readonly usage?: JsonObject }
  | { readonly type: "message_stop" }
  | { readonly type: "unknown"; readonly eventType: string; readonly raw: JsonObject };

const unknownDelta = (raw: unknown): StreamDelta => ({
  type: "unknown",
  deltaType: isObject(raw) ? (str(raw["type"]) ?? "") : "",
  raw,
});

const decodeDelta = (raw: unknown): StreamDelta => {
  if (!isObject(raw)) return unknownDelta(raw);
  switch (raw["type"]) {
    case "text_delta": {
      const text = str(raw["text"]);
      return text === undefined ? unknownDelta(raw) : { type: "text_delta", text };
    }
    case "thinking_delta": {
      const thinking = str(raw["thinking"]);
      return thinking === undefined ? unknownDelta(raw) : { type: "thinking_delta", thinking };
    }
    case "input_json_delta": {
      const partialJson = str(raw["partial_json"]);
      return partialJson === undefined ? unknownDelta(raw) : { type: "input_json_delta", partialJson };
    }
    case "signature_delta": {
      const signature = str(raw["signature"]);
      return signature === undefined ? unknownDelta(raw) : { type: "signature_delta", signature };
    }
    default:
      return unknownDelta(raw);
  }
};

const decodeMessageStart = (event: JsonObject): StreamEvent => {
  const message = obj(event["message"]) ?? {};
  const out: { type: "message_start"; messageId?: string; model?: string; usage?: JsonObject } = {
    type: "message_start",
  };
  const messageId = str(message["id"]);
  const model = str(message["model"]);
  const usage = obj(message["usage"]);
  if (messageId !== undefined) out.messageId = messageId;
  if (model !== undefined) out.model = model;
  if (usage !== undefined) out.usage = usage;
  return out;
};

const decodeMessageDelta = (event: JsonObject): StreamEvent => {
  const delta = obj(event["delta"]) ?? {};
  const stopReason = strOrNull(delta["stop_reason"]) ?? null;
  const usage = obj(event["usage"]);
  return usage === undefined ? { type: "message_delta", stopReason } : { type: "message_delta", stopReason, usage };
};

/** Decodes `stream_event.event`; never throws. Block events without a numeric index are opaque. */
export const decodeStreamEvent = (event: JsonObject): StreamEvent => {
  const type = str(event["type"]) ?? "";
  const index = num(event["index"]);
  switch (type) {
    case "message_start":
      return decodeMessageStart(event);
    case "message_delta":
      return decodeMessageDelta(event);
    case "message_stop":
      return { type: "message_stop" };
    case "content_block_start":
      if (index === undefined) break;
      return { type, index, contentBlock: decodeContentBlock(event["content_block"]) };
    case "content_block_delta":
      if (index === undefined) break;
      return { type, index, delta: decodeDelta(event["delta"]) };
    case "content_block_stop":
      if (index === undefined) break;
      return { type, index };
  }
  return { type: "unknown", eventType: type, raw: event };
};
