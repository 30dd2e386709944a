import { dropUndefined, obj, str, type JsonObject } from "./jsonGuards.ts";

/**
 * Control protocol frames (claude-code-formats.md §2.8). With `--permission-prompt-tool stdio`
 * the CLI prints `control_request/can_use_tool` and waits for our `control_response`; that one
 * request is typed, the other request subtypes stay opaque.
 */
export type CanUseToolRequest = {
  readonly subtype: "can_use_tool";
  readonly toolName: string;
  readonly input: JsonObject;
  readonly toolUseId?: string;
  readonly displayName?: string;
  readonly description?: string;
  /** PermissionUpdate[] the CLI suggests; passed back verbatim if the user picks one. */
  readonly permissionSuggestions?: readonly unknown[];
};
export type OtherControlRequest = { readonly subtype: "other"; readonly name: string; readonly raw: JsonObject };

export type ControlRequestLine = {
  readonly kind: "control_request";
  readonly requestId: string;
  readonly request: CanUseToolRequest | OtherControlRequest;
  readonly raw: JsonObject;
};

/** The CLI gave up on one of its requests (the turn was interrupted, say): do not answer it any more. */
export type ControlCancelRequestLine = {
  readonly kind: "control_cancel_request";
  readonly requestId: string;
  readonly raw: JsonObject;
};

export type ControlResponseLine = {
  readonly kind: "control_response";
  readonly requestId: string;
  /** `success` or `error`; other values are passed through. */
  readonly subtype: string;
  readonly response?: JsonObject;
  readonly error?: string;
  readonly raw: JsonObject;
};

const decodeCanUseTool = (request: JsonObject): CanUseToolRequest | undefined => {
  const toolName = str(request["tool_name"]);
  if (toolName === undefined) return undefined;
  const suggestions = request["permission_suggestions"];
  return dropUndefined({
    subtype: "can_use_tool",
    toolName,
    input: obj(request["input"]) ?? {},
    toolUseId: str(request["tool_use_id"]),
    displayName: str(request["display_name"]),
    description: str(request["description"]),
    permissionSuggestions: Array.isArray(suggestions) ? suggestions : undefined,
  }) as CanUseToolRequest;
};

/** `undefined` when the fields needed to answer the request are missing. */
export const decodeControlRequest = (raw: JsonObject): ControlRequestLine | undefined => {
  const requestId = str(raw["request_id"]);
  const request = obj(raw["request"]);
  const name = request && str(request["subtype"]);
  if (requestId === undefined || request === undefined || name === undefined) return undefined;
  if (name === "can_use_tool") {
    // A permission prompt we cannot read must not be silently treated as "some other request".
    const canUseTool = decodeCanUseTool(request);
    return canUseTool && { kind: "control_request", requestId, request: canUseTool, raw };
  }
  return { kind: "control_request", requestId, request: { subtype: "other", name, raw: request }, raw };
};

export const decodeControlResponse = (raw: JsonObject): ControlResponseLine | undefined => {
  const response = obj(raw["response"]);
  const requestId = response && str(response["request_id"]);
  const subtype = response && str(response["subtype"]);
  if (response === undefined || requestId === undefined || subtype === undefined) return undefined;
  return dropUndefined({
    kind: "control_response",
    requestId,
    subtype,
    response: obj(response["response"]),
    error: str(response["error"]),
    raw,
  }) as ControlResponseLine;
};

export const decodeControlCancelRequest = (raw: JsonObject): ControlCancelRequestLine | undefined => {
  const requestId = str(raw["request_id"]);
  return requestId === undefined ? undefined : { kind: "control_cancel_request", requestId, raw };
};
