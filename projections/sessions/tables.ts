import type { ColumnType, Selectable } from "kysely";
import type { JobOutcome, MessageStatus, PermissionDecision, PermissionKind, PermissionStatus, PromptStatus, SessionStatus } from "../../events/statuses.ts";
import type { Block } from "./messageContent.ts";

/**
 * The session read models as Postgres holds them (migrations 0002, 0009, 0010, 0012), for kysely.
 * Timestamps arrive as ISO 8601 text (the pools parse timestamptz so) and JSONB as values;
 * JSONB is written as JSON text, so an array is never taken for a Postgres array.
 * A row in memory is exactly what a select returns: a row folded in one batch and one folded
 * across several batches are identical.
 */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;

export interface SessionsTable {
  id: string;
  project_path: string;
  /** The machine whose runner runs its prompts; null for sessions from before machines. */
  machine_id: string | null;
  context: string | null;
  status: SessionStatus;
  claude_directory_path: string;
  claude_code_session_id: string | null;
  metadata: Json<Record<string, unknown>>;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
  is_working: boolean;
  current_job_id: string | null;
  last_job_status: JobOutcome | null;
  /** Projection bookkeeping: the running prompt, the session version applied, the newest message. */
  current_prompt_id: string | null;
  version: number;
  message_count: number;
  last_message_id: string | null;
  last_message_key: string | null;
  /** Permission requests still waiting for an answer. */
  pending_permissions: number;
  /** The session's "always allow" rules. */
  permission_rules: Json<string[]>;
  /** What the session's jobs cost, added up. */
  cost_usd: number;
}

export interface PromptsTable {
  session_id: string;
  prompt_id: string;
  message_id: string;
  prompt: string;
  status: PromptStatus;
  /** The session version of PromptEnqueued: queue order. Positions are derived when read. */
  enqueue_seq: number;
  /** The job a steering prompt was sent into: it goes ahead of the queue until it is written in. */
  steer_into: string | null;
  job_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested_at: string | null;
  exit_code: number | null;
  /** What this job alone cost (steered prompts share their job's). */
  cost_usd: number | null;
  usage: NullableJson<Record<string, unknown>>;
  num_turns: number | null;
  duration_ms: number | null;
  result_subtype: string | null;
  is_error: boolean;
  /** null, or `<code>` / `<code>: <detail>` when the prompt did not complete normally. */
  error: string | null;
}

export interface MessagesTable {
  id: string;
  session_id: string;
  text: string;
  type: "user" | "assistant";
  status: MessageStatus;
  claude_session_id: string | null;
  created_at: string;
  /** Per-session order of the conversation, given when a turn starts; null while queued. */
  seq: number | null;
  prompt_id: string | null;
  job_id: string | null;
  content: Json<Block[]>;
}

export interface PermissionsTable {
  session_id: string;
  request_id: string;
  prompt_id: string | null;
  job_id: string;
  tool_name: string;
  kind: PermissionKind;
  input: Json<Record<string, unknown>>;
  status: PermissionStatus;
  suggestions: Json<unknown[]>;
  description: string | null;
  requested_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision: PermissionDecision | null;
  message: string | null;
  answers: NullableJson<Record<string, string>>;
}

export interface SessionTables {
  claude_code_sessions: SessionsTable;
  session_prompts: PromptsTable;
  session_messages: MessagesTable;
  session_permissions: PermissionsTable;
}

export type SessionRow = Selectable<SessionsTable>;
export type PromptRow = Selectable<PromptsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type PermissionRow = Selectable<PermissionsTable>;
