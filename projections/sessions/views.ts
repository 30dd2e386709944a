import { z } from "zod";
import {
  jobOutcomes, messageStatuses, permissionDecisions, permissionKinds, permissionStatuses, promptStatuses, sessionStatuses,
} from "../../events/statuses.ts";
import type { MessageRow, PermissionRow, PromptRow, SessionRow } from "./tables.ts";

/**
 * What the phone reads: the read side's contract, declared once. The API's response schemas
 * (and so the OpenAPI document) are these; the views are their `z.infer`; the queries and
 * every other builder of a view (asOf, the answers given while Postgres is away) go through
 * the functions below. camelCase, as the original backend.
 */
const Timestamp = z.string().describe("ISO 8601");
const Metadata = z.record(z.string(), z.unknown());

/** The machine of a session as the phone shows it: live from the machines' heartbeats (added by the api). */
const SessionMachine = z.object({ id: z.string(), name: z.string(), online: z.boolean() });

/** What the running job is doing now (kept by its runner, added by the api): instead of a bare spinner. */
export const Activity = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("model") }).describe("Waiting for the model, or reading its answer as it streams"),
  z.object({ kind: z.literal("retrying"), attempt: z.number().int(), maxRetries: z.number().int(), retryDelayMs: z.number() })
    .describe("The model API failed; the CLI retries (attempt of maxRetries)"),
  z.object({ kind: z.literal("compacting") }).describe("The CLI is compacting the conversation"),
  z.object({ kind: z.literal("tool"), toolName: z.string() }).describe("A tool runs"),
  z.object({ kind: z.literal("approval"), requestId: z.string(), toolName: z.string() }).describe("Waiting for the person to answer a permission request"),
]);

export const Session = z.object({
  id: z.string(),
  projectPath: z.string(),
  machineId: z.string().nullable().describe("The machine whose runner runs the session's prompts (null: any, for sessions from before machines)"),
  machine: SessionMachine.nullable().describe("That machine now: its name and whether it is online (prompts wait queued while it is not)"),
  context: z.string().nullable(),
  status: z.enum(sessionStatuses),
  claudeDirectoryPath: z.string(),
  claudeCodeSessionId: z.string().nullable(),
  metadata: Metadata,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastAccessedAt: Timestamp,
  isWorking: z.boolean(),
  currentJobId: z.string().nullable(),
  lastJobStatus: z.enum(jobOutcomes).nullable(),
  pendingPermissions: z.number().int().describe("Permission requests waiting for an answer"),
  permissionRules: z.array(z.string()).describe("\"Always allow\" rules, passed to every later prompt as allowed tools"),
  costUsd: z.number().describe("What the session's jobs cost, added up (USD, as the CLI reports it)"),
  activity: Activity.nullable().describe("What the running job is doing now; null when idle (or its runner has not said)"),
});
export type SessionView = z.infer<typeof Session>;

export const Prompt = z.object({
  promptId: z.string(),
  sessionId: z.string(),
  messageId: z.string(),
  prompt: z.string(),
  status: z.enum(promptStatuses),
  queuePosition: z.number().int().nullable().describe("0 while running, 1.. while queued, null once finished"),
  jobId: z.string().nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  exitCode: z.number().nullable(),
  costUsd: z.number().nullable().describe("What this job alone cost (a prompt steered into a job shows null: its job's prompt carries it)"),
  usage: Metadata.nullable(),
  numTurns: z.number().nullable(),
  durationMs: z.number().nullable(),
  isError: z.boolean().describe("The prompt failed, or its turn ended in an error (an API error, too many turns, ...)"),
  error: z.string().nullable().describe("null, or `<code>` / `<code>: <detail>`: cancelled_by_user, api_error, error_max_turns, cli_exited, runner_lost, ..."),
});
export type PromptView = z.infer<typeof Prompt>;

/** A message's content: the one block model of session and transcript messages. */
export const ContentBlocks = z.array(z.record(z.string(), z.unknown()))
  .describe("Ordered content blocks (text, thinking, tool_use, tool_result, image, ...); oversized ones carry truncated: true and originalBytes");

export const Message = z.object({
  id: z.string(),
  sessionId: z.string(),
  seq: z.number().int().nullable().describe("Order of the conversation (the paging cursor); null while the prompt waits in the queue"),
  type: z.enum(["user", "assistant"]),
  status: z.enum(messageStatuses).describe("A user message is queued until its turn starts, cancelled if its prompt was"),
  text: z.string().describe("The plain text of the message's text blocks"),
  promptId: z.string().nullable(),
  claudeSessionId: z.string().nullable(),
  content: ContentBlocks,
  createdAt: Timestamp,
});
export type MessageView = z.infer<typeof Message>;

export const Permission = z.object({
  requestId: z.string(),
  sessionId: z.string(),
  promptId: z.string().nullable(),
  jobId: z.string(),
  toolName: z.string(),
  input: Metadata.describe("What the tool would be run with (a question's questions, a plan's text)"),
  kind: z.enum(permissionKinds),
  status: z.enum(permissionStatuses),
  decision: z.enum(permissionDecisions).nullable(),
  requestedAt: Timestamp,
  decidedAt: Timestamp.nullable(),
  decidedBy: z.string().nullable().describe("Who answered (the token's name), or the service for an expiry or a cancellation"),
  message: z.string().nullable(),
  answers: z.record(z.string(), z.string()).nullable(),
  suggestions: z.array(z.unknown()).describe("The CLI's own suggestions (PermissionUpdate[]); allow_always remembers them"),
  description: z.string().nullable(),
});
export type PermissionView = z.infer<typeof Permission>;

/** `machine` and `activity` are live (the read model does not hold them): the api adds them. */
export const sessionView = (row: SessionRow): SessionView => ({
  id: row.id,
  projectPath: row.project_path,
  machineId: row.machine_id,
  machine: null,
  context: row.context,
  status: row.status,
  claudeDirectoryPath: row.claude_directory_path,
  claudeCodeSessionId: row.claude_code_session_id,
  metadata: row.metadata,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  lastAccessedAt: row.last_accessed_at,
  isWorking: row.is_working,
  currentJobId: row.current_job_id,
  lastJobStatus: row.last_job_status,
  pendingPermissions: row.pending_permissions,
  permissionRules: row.permission_rules,
  costUsd: row.cost_usd,
  activity: null,
});

export const promptView = (row: PromptRow, queuePosition: number | null): PromptView => ({
  promptId: row.prompt_id,
  sessionId: row.session_id,
  messageId: row.message_id,
  prompt: row.prompt,
  status: row.status,
  queuePosition,
  jobId: row.job_id,
  createdAt: row.created_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  exitCode: row.exit_code,
  costUsd: row.cost_usd,
  usage: row.usage,
  numTurns: row.num_turns,
  durationMs: row.duration_ms,
  isError: row.is_error,
  error: row.error,
});

export const messageView = (row: MessageRow): MessageView => ({
  id: row.id,
  sessionId: row.session_id,
  seq: row.seq,
  type: row.type,
  status: row.status,
  text: row.text,
  promptId: row.prompt_id,
  claudeSessionId: row.claude_session_id,
  content: row.content,
  createdAt: row.created_at,
});

export const permissionView = (row: PermissionRow): PermissionView => ({
  requestId: row.request_id,
  sessionId: row.session_id,
  promptId: row.prompt_id,
  jobId: row.job_id,
  toolName: row.tool_name,
  input: row.input,
  kind: row.kind,
  status: row.status,
  decision: row.decision,
  requestedAt: row.requested_at,
  decidedAt: row.decided_at,
  decidedBy: row.decided_by,
  message: row.message,
  answers: row.answers,
  suggestions: row.suggestions,
  description: row.description,
});
