import { createHash } from "node:crypto";
import { isObject, type JsonObject } from "./jsonGuards.ts";

/**
 * Oversized tool output is not stored in events (DESIGN.md §4 "Runner output"): the content of
 * a tool result over the limit is replaced by `{ truncated: true, originalBytes, sha256 }`. The
 * full text stays in Claude's own JSONL, and the hash lets a reader match it there.
 *
 * Applies to `tool_result` / `mcp_tool_result` blocks in `message.content` and to the frame's
 * structured copy (`tool_use_result` in stream-json, `toolUseResult` in history lines), which
 * often holds the same large text again. The input is never mutated; objects on the path to a
 * truncated value are copied, everything else is shared.
 */
export type TruncatedPayload = { readonly truncated: true; readonly originalBytes: number; readonly sha256: string };

const RESULT_BLOCK_TYPES = new Set(["tool_result", "mcp_tool_result"]);
const STRUCTURED_RESULT_KEYS = ["tool_use_result", "toolUseResult"] as const;

/** The value replaced, or `undefined` when it fits (strings are measured in UTF-8 bytes). */
const truncateValue = (value: unknown, limitBytes: number): TruncatedPayload | undefined => {
  if (value === undefined || value === null) return undefined;
  // A string of n UTF-16 units is at most 3n UTF-8 bytes: most values are skipped unmeasured.
  if (typeof value === "string" && value.length * 3 <= limitBytes) return undefined;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined) return undefined;
  const originalBytes = Buffer.byteLength(text, "utf8");
  if (originalBytes <= limitBytes) return undefined;
  return { truncated: true, originalBytes, sha256: createHash("sha256").update(text, "utf8").digest("hex") };
};

const truncateBlocks = (content: unknown, limitBytes: number): unknown[] | undefined => {
  if (!Array.isArray(content)) return undefined;
  let changed: unknown[] | undefined;
  content.forEach((block: unknown, i) => {
    if (!isObject(block) || !RESULT_BLOCK_TYPES.has(block["type"] as string)) return;
    const replacement = truncateValue(block["content"], limitBytes);
    if (replacement === undefined) return;
    changed ??= [...content];
    changed[i] = { ...block, content: replacement };
  });
  return changed;
};

/** Returns `frame` itself when nothing is over `limitBytes`, else a truncated copy. */
export const truncateLargeToolResults = <T extends JsonObject>(frame: T, limitBytes: number): T => {
  let out: JsonObject = frame;
  const message = frame["message"];
  if (isObject(message)) {
    const content = truncateBlocks(message["content"], limitBytes);
    if (content !== undefined) out = { ...frame, message: { ...message, content } };
  }
  for (const key of STRUCTURED_RESULT_KEYS) {
    const replacement = truncateValue(frame[key], limitBytes);
    if (replacement !== undefined) out = { ...out, [key]: replacement };
  }
  return out as T;
};
