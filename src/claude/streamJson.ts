import { decodeContent, type ContentBlock } from "./contentBlocks.ts";
import { bool, dropUndefined, isObject, num, obj, setDefined, str, strArray, strOrNull, type JsonObject } from "./jsonGuards.ts";
import { decodeStreamEvent, type StreamEvent } from "./streamEvents.ts";
import { decodeSystem, type SystemLine } from "./systemMessages.ts";
import { decodeControlCancelRequest, decodeControlRequest, decodeControlResponse, type ControlCancelRequestLine, type ControlRequestLine, type ControlResponseLine } from "./controlMessages.ts";

/**
 * Decoder of the CLI's `--output-format stream-json` stdout, one line at a time
 * (claude-code-formats.md §2 and §6). Strict where the runner relies on a field (a `result`
 * needs `session_id`; `assistant`/`user` need `message`), lenient everywhere else: unknown
 * `type`s are `unknown`, unknown subtypes/blocks/deltas are kept opaque, unknown fields survive
 * in `raw`. Every value carries the parsed object as `raw`, so `JSON.stringify(raw)` re-encodes
 * the line losslessly. Never throws.
 */
export type AssistantLine = {
  readonly kind: "assistant";
  readonly content: readonly ContentBlock[];
  readonly messageId?: string;
  /** `<synthetic>` on the CLI's own API-error message. */
  readonly model?: string;
  readonly usage?: JsonObject;
  readonly parentToolUseId: string | null;
  readonly sessionId?: string;
  readonly uuid?: string;
  /** SDKAssistantMessageError (`server_error`, `rate_limit`, …) on API-error messages. */
  readonly error?: string;
  readonly raw: JsonObject;
};

export type UserLine = {
  readonly kind: "user";
  readonly content: readonly ContentBlock[];
  readonly parentToolUseId: string | null;
  readonly sessionId?: string;
  readonly uuid?: string;
  /** Structured tool output (2.0+); a plain string when the tool failed or was denied. */
  readonly toolUseResult?: unknown;
  readonly isReplay?: boolean;
  readonly raw: JsonObject;
};

export type PermissionDenial = { readonly toolName: string; readonly toolUseId: string; readonly toolInput: unknown };

export type ResultLine = {
  readonly kind: "result";
  /** success | error_max_turns | error_during_execution | …; API errors are success + isError. */
  readonly subtype: string;
  readonly isError: boolean;
  readonly sessionId: string;
  readonly uuid?: string;
  /** total_cost_usd, or 0.2.x `total_cost` / `cost_usd`; 0 when absent. */
  readonly costUsd: number;
  readonly usage?: JsonObject;
  readonly modelUsage?: JsonObject;
  /**
   * 2.1.x: what this turn alone cost (the sum of `model_usage_since_last_result[*].costUSD`);
   * its `total_cost_usd` is cumulative for the conversation across `--resume`. 2.0.x's
   * `total_cost_usd` counts this process only, and it has no such field.
   */
  readonly turnCostUsd?: number;
  readonly numTurns: number;
  readonly durationMs: number;
  readonly durationApiMs?: number;
  readonly result?: string;
  readonly stopReason?: string | null;
  readonly terminalReason?: string;
  readonly permissionDenials: readonly PermissionDenial[];
  readonly errors: readonly string[];
  /** 2.1.x numbers the results of one process 0, 1, …; absent before. */
  readonly resultIndex?: number;
  readonly raw: JsonObject;
};

export type StreamEventLine = {
  readonly kind: "stream_event";
  readonly event: StreamEvent;
  readonly parentToolUseId: string | null;
  readonly sessionId?: string;
  readonly uuid?: string;
  readonly apiMessageId?: string;
  readonly raw: JsonObject;
};

export type UnknownLine = { readonly kind: "unknown"; readonly type: string; readonly raw: JsonObject };

export type InvalidLine = {
  readonly kind: "invalid";
  readonly reason: string;
  /** The line text when it was not JSON, else the parsed value. */
  readonly raw: unknown;
};

export type DecodedLine =
  | SystemLine
  | AssistantLine
  | UserLine
  | ResultLine
  | StreamEventLine
  | ControlRequestLine
  | ControlResponseLine
  | ControlCancelRequestLine
  | UnknownLine
  | InvalidLine;

export type { SystemLine, StreamEvent, ControlRequestLine, ControlResponseLine };

const invalid = (reason: string, raw: unknown): InvalidLine => ({ kind: "invalid", reason, raw });

/** The envelope fields shared by assistant, user and stream_event frames, set in place. */
const withEnvelope = (out: Record<string, unknown>, raw: JsonObject): Record<string, unknown> => {
  out["parentToolUseId"] = str(raw["parent_tool_use_id"]) ?? null;
  setDefined(out, "sessionId", str(raw["session_id"]));
  setDefined(out, "uuid", str(raw["uuid"]));
  return out;
};

// assistant/user/stream_event are most of a run's lines: they are built in place rather than
// through dropUndefined (see bench/decoder.ts).
const decodeAssistant = (raw: JsonObject): DecodedLine => {
  const message = obj(raw["message"]);
  if (message === undefined) return invalid("assistant without message", raw);
  const out: Record<string, unknown> = { kind: "assistant", content: decodeContent(message["content"]) };
  setDefined(out, "messageId", str(message["id"]));
  setDefined(out, "model", str(message["model"]));
  setDefined(out, "usage", obj(message["usage"]));
  withEnvelope(out, raw);
  setDefined(out, "error", str(raw["error"]));
  out["raw"] = raw;
  return out as AssistantLine;
};

const decodeUser = (raw: JsonObject): DecodedLine => {
  const message = obj(raw["message"]);
  if (message === undefined) return invalid("user without message", raw);
  const out = withEnvelope({ kind: "user", content: decodeContent(message["content"]) }, raw);
  setDefined(out, "toolUseResult", raw["tool_use_result"]);
  setDefined(out, "isReplay", bool(raw["isReplay"]));
  out["raw"] = raw;
  return out as UserLine;
};

const decodeDenials = (value: unknown): PermissionDenial[] =>
  Array.isArray(value)
    ? value.filter(isObject).map((d) => ({
        toolName: str(d["tool_name"]) ?? "",
        toolUseId: str(d["tool_use_id"]) ?? "",
        toolInput: d["tool_input"],
      }))
    : [];

/** The sum of the `costUSD` of each model in a usage map; undefined without one. */
const costOf = (usage: JsonObject | undefined): number | undefined => {
  if (usage === undefined) return undefined;
  return Object.values(usage).reduce<number>((sum, model) => sum + (num(obj(model)?.["costUSD"]) ?? 0), 0);
};

const decodeResult = (raw: JsonObject): DecodedLine => {
  const sessionId = str(raw["session_id"]);
  const subtype = str(raw["subtype"]);
  if (sessionId === undefined) return invalid("result without session_id", raw);
  if (subtype === undefined) return invalid("result without subtype", raw);
  return dropUndefined({
    kind: "result",
    subtype,
    // 0.2.x-style frames without is_error: only a non-success subtype is an error.
    isError: bool(raw["is_error"]) ?? subtype !== "success",
    sessionId,
    uuid: str(raw["uuid"]),
    costUsd: num(raw["total_cost_usd"]) ?? num(raw["total_cost"]) ?? num(raw["cost_usd"]) ?? 0,
    usage: obj(raw["usage"]),
    modelUsage: obj(raw["modelUsage"]),
    turnCostUsd: costOf(obj(raw["model_usage_since_last_result"])),
    numTurns: num(raw["num_turns"]) ?? 0,
    durationMs: num(raw["duration_ms"]) ?? 0,
    durationApiMs: num(raw["duration_api_ms"]),
    result: str(raw["result"]),
    stopReason: strOrNull(raw["stop_reason"]),
    terminalReason: str(raw["terminal_reason"]),
    permissionDenials: decodeDenials(raw["permission_denials"]),
    errors: strArray(raw["errors"]) ?? [],
    resultIndex: num(raw["result_index"]),
    raw,
  }) as ResultLine;
};

const decodeStreamEventLine = (raw: JsonObject): DecodedLine => {
  const event = obj(raw["event"]);
  if (event === undefined) return invalid("stream_event without event", raw);
  const out = withEnvelope({ kind: "stream_event", event: decodeStreamEvent(event) }, raw);
  setDefined(out, "apiMessageId", str(raw["api_message_id"]));
  out["raw"] = raw;
  return out as StreamEventLine;
};

const decodeSystemLine = (raw: JsonObject): DecodedLine =>
  decodeSystem(raw) ?? invalid("system/init without session_id", raw);

const byType: Record<string, (raw: JsonObject) => DecodedLine> = {
  system: decodeSystemLine,
  assistant: decodeAssistant,
  user: decodeUser,
  result: decodeResult,
  stream_event: decodeStreamEventLine,
  control_request: (raw) => decodeControlRequest(raw) ?? invalid("control_request without request_id/request", raw),
  control_response: (raw) => decodeControlResponse(raw) ?? invalid("control_response without response", raw),
  control_cancel_request: (raw) => decodeControlCancelRequest(raw) ?? invalid("control_cancel_request without request_id", raw),
};

/** Decodes an already parsed value (e.g. a line parsed elsewhere). */
export const decodeValue = (value: unknown): DecodedLine => {
  if (!isObject(value)) return invalid("not a JSON object", value);
  const type = value["type"];
  if (typeof type !== "string") return invalid("no string type", value);
  const decoder = Object.hasOwn(byType, type) ? byType[type] : undefined;
  return decoder === undefined ? { kind: "unknown", type, raw: value } : decoder(value);
};

/** Decodes one line of stream-json; never throws. */
export const decodeLine = (line: string): DecodedLine => {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return invalid("not JSON", line);
  }
  return decodeValue(value);
};
