import { dropUndefined, isObject, num, obj, str, strArray, strOrNull, type JsonObject } from "./jsonGuards.ts";

/**
 * `system` frames of stream-json (claude-code-formats.md §2.3). Subtypes the doc gives fields for
 * are typed (`known: true`); every other subtype is kept opaque (`known: false`), as is a typed
 * subtype that lacks the fields we type: the CLI adds subtypes with every release, so none of
 * them fails a line. `known` is the discriminant that lets `subtype` narrow the union.
 */
type Base = { readonly kind: "system"; readonly sessionId?: string; readonly uuid?: string; readonly raw: JsonObject };
type Known<S extends string, F> = Base & { readonly known: true; readonly subtype: S } & F;

export type McpServerStatus = { readonly name: string; readonly status: string };

export type SystemInit = Known<"init", {
  readonly sessionId: string;
  readonly cwd?: string;
  readonly model?: string;
  readonly tools: readonly string[];
  readonly mcpServers: readonly McpServerStatus[];
  readonly permissionMode?: string;
  readonly apiKeySource?: string;
  readonly claudeCodeVersion?: string;
}>;
export type SystemStatus = Known<"status", {
  readonly status: string | null;
  readonly permissionMode?: string;
  readonly compactResult?: string;
}>;
export type SystemCompactBoundary = Known<"compact_boundary", {
  readonly trigger?: string;
  readonly preTokens?: number;
  readonly postTokens?: number;
  readonly logicalParentUuid?: string;
}>;
export type SystemApiRetry = Known<"api_retry", {
  readonly attempt: number;
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  readonly errorStatus: number | null;
  readonly error?: string;
}>;
export type SystemPermissionDenied = Known<"permission_denied", {
  readonly toolName: string;
  readonly toolUseId: string;
  readonly message?: string;
  readonly agentId?: string;
}>;
export type SystemThinkingTokens = Known<"thinking_tokens", {
  readonly estimatedTokens: number;
  readonly estimatedTokensDelta?: number;
}>;
export type SystemTask = Known<"task_started" | "task_progress" | "task_updated" | "task_notification", {
  readonly taskId: string;
  readonly toolUseId?: string;
  readonly description?: string;
  readonly subagentType?: string;
  /** task_notification: completed | failed | stopped; task_updated: patch.status. */
  readonly status?: string;
  readonly summary?: string;
}>;
export type SystemBackgroundTasksChanged = Known<"background_tasks_changed", { readonly tasks: readonly JsonObject[] }>;
export type SystemSessionStateChanged = Known<"session_state_changed", { readonly state: string }>;
export type SystemLocalCommandOutput = Known<"local_command_output", { readonly content: string }>;
export type SystemOther = Base & { readonly known: false; readonly subtype: string };

export type SystemLine =
  | SystemInit
  | SystemStatus
  | SystemCompactBoundary
  | SystemApiRetry
  | SystemPermissionDenied
  | SystemThinkingTokens
  | SystemTask
  | SystemBackgroundTasksChanged
  | SystemSessionStateChanged
  | SystemLocalCommandOutput
  | SystemOther;

const defined = dropUndefined;

type Fields = Record<string, unknown> | undefined;
type SubtypeDecoder = (raw: JsonObject) => Fields;

const decodeMcpServers = (value: unknown): McpServerStatus[] =>
  Array.isArray(value)
    ? value.filter(isObject).map((s) => ({ name: str(s["name"]) ?? "", status: str(s["status"]) ?? "" }))
    : [];

const decodeInit: SubtypeDecoder = (raw) =>
  defined({
    cwd: str(raw["cwd"]),
    model: str(raw["model"]),
    tools: strArray(raw["tools"]) ?? [],
    mcpServers: decodeMcpServers(raw["mcp_servers"]),
    permissionMode: str(raw["permissionMode"]),
    apiKeySource: str(raw["apiKeySource"]),
    claudeCodeVersion: str(raw["claude_code_version"]),
  });

const decodeStatus: SubtypeDecoder = (raw) => {
  const status = strOrNull(raw["status"]);
  return defined({
    status: status ?? null,
    permissionMode: str(raw["permissionMode"]),
    compactResult: str(raw["compact_result"]),
  });
};

const decodeCompactBoundary: SubtypeDecoder = (raw) => {
  const meta = obj(raw["compact_metadata"]) ?? {};
  return defined({
    trigger: str(meta["trigger"]),
    preTokens: num(meta["pre_tokens"]),
    postTokens: num(meta["post_tokens"]),
    logicalParentUuid: str(raw["logical_parent_uuid"]),
  });
};

const decodeApiRetry: SubtypeDecoder = (raw) => {
  const attempt = num(raw["attempt"]);
  const maxRetries = num(raw["max_retries"]);
  if (attempt === undefined || maxRetries === undefined) return undefined;
  return defined({
    attempt,
    maxRetries,
    retryDelayMs: num(raw["retry_delay_ms"]) ?? 0,
    errorStatus: num(raw["error_status"]) ?? null,
    error: str(raw["error"]),
  });
};

const decodePermissionDenied: SubtypeDecoder = (raw) => {
  const toolName = str(raw["tool_name"]);
  const toolUseId = str(raw["tool_use_id"]);
  if (toolName === undefined || toolUseId === undefined) return undefined;
  return defined({ toolName, toolUseId, message: str(raw["message"]), agentId: str(raw["agent_id"]) });
};

const decodeThinkingTokens: SubtypeDecoder = (raw) => {
  const estimatedTokens = num(raw["estimated_tokens"]);
  if (estimatedTokens === undefined) return undefined;
  return defined({ estimatedTokens, estimatedTokensDelta: num(raw["estimated_tokens_delta"]) });
};

const decodeTask: SubtypeDecoder = (raw) => {
  const taskId = str(raw["task_id"]);
  if (taskId === undefined) return undefined;
  const patch = obj(raw["patch"]);
  return defined({
    taskId,
    toolUseId: str(raw["tool_use_id"]),
    description: str(raw["description"]) ?? (patch && str(patch["description"])),
    subagentType: str(raw["subagent_type"]),
    status: str(raw["status"]) ?? (patch && str(patch["status"])),
    summary: str(raw["summary"]),
  });
};

const requireString =
  (wire: string, field: string): SubtypeDecoder =>
  (raw) => {
    const value = str(raw[wire]);
    return value === undefined ? undefined : { [field]: value };
  };

const decoders: Record<string, SubtypeDecoder> = {
  init: decodeInit,
  status: decodeStatus,
  compact_boundary: decodeCompactBoundary,
  api_retry: decodeApiRetry,
  permission_denied: decodePermissionDenied,
  thinking_tokens: decodeThinkingTokens,
  task_started: decodeTask,
  task_progress: decodeTask,
  task_updated: decodeTask,
  task_notification: decodeTask,
  background_tasks_changed: (raw) =>
    Array.isArray(raw["tasks"]) ? { tasks: (raw["tasks"] as unknown[]).filter(isObject) } : undefined,
  session_state_changed: requireString("state", "state"),
  local_command_output: requireString("content", "content"),
};

/**
 * Decodes a `system` frame. Returns `undefined` only for an `init` without `session_id`: the
 * runner relies on it to learn the Claude session id, so that line is invalid, not opaque.
 */
export const decodeSystem = (raw: JsonObject): SystemLine | undefined => {
  const subtype = str(raw["subtype"]) ?? "";
  const sessionId = str(raw["session_id"]);
  const uuid = str(raw["uuid"]);
  if (subtype === "init" && sessionId === undefined) return undefined;
  const decoder = Object.hasOwn(decoders, subtype) ? decoders[subtype] : undefined;
  const fields = decoder?.(raw);
  const envelope = defined({ kind: "system", known: fields !== undefined, subtype, sessionId, uuid });
  return { ...envelope, ...fields, raw } as unknown as SystemLine;
};

/** Narrowing helper: `isSystemSubtype(line, "init")` narrows to the typed init frame. */
export const isSystemSubtype = <S extends Extract<SystemLine, { known: true }>["subtype"]>(
  line: { readonly kind: string },
  subtype: S,
): line is Extract<SystemLine, { subtype: S; known: true }> =>
  line.kind === "system" && (line as SystemLine).known && (line as SystemLine).subtype === subtype;
