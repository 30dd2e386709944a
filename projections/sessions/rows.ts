import type { Block } from "./messageContent.ts";

/**
 * Row shapes of the session read models, exactly as written. Timestamps are ISO strings in
 * memory; rows loaded from Postgres are normalised to the same shape, so a row folded in one
 * batch and a row folded across several batches are identical.
 */
export interface SessionRow {
  id: string;
  project_path: string;
  /** The machine whose runner runs its prompts; null for sessions from before machines. */
  machine_id: string | null;
  context: string | null;
  status: "active" | "inactive" | "archived";
  claude_directory_path: string;
  claude_code_session_id: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
  is_working: boolean;
  current_job_id: string | null;
  last_job_status: "completed" | "failed" | "cancelled" | null;
  current_prompt_id: string | null;
  version: number;
  message_count: number;
  last_message_id: string | null;
  last_message_key: string | null;
  /** Permission requests still waiting for an answer. */
  pending_permissions: number;
  /** The session's "always allow" rules. */
  permission_rules: string[];
}

export type PromptStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

export interface PromptRow {
  session_id: string;
  prompt_id: string;
  message_id: string;
  prompt: string;
  status: PromptStatus;
  enqueue_seq: number;
  job_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested_at: string | null;
  exit_code: number | null;
  cost_usd: number | null;
  usage: Record<string, unknown> | null;
  num_turns: number | null;
  duration_ms: number | null;
  result_subtype: string | null;
  error: string | null;
}

export interface MessageRow {
  id: string;
  session_id: string;
  text: string;
  type: "user" | "assistant";
  claude_session_id: string | null;
  created_at: string;
  seq: number;
  prompt_id: string | null;
  job_id: string | null;
  content: Block[];
}

export interface PermissionRow {
  session_id: string;
  request_id: string;
  prompt_id: string | null;
  job_id: string;
  tool_name: string;
  kind: "tool" | "question" | "plan";
  input: Record<string, unknown>;
  status: "pending" | "allowed" | "denied" | "expired" | "cancelled";
  suggestions: unknown[];
  description: string | null;
  requested_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision: "allow" | "allow_always" | "deny" | null;
  message: string | null;
  answers: Record<string, string> | null;
}

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));
const isoOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : iso(value));

type Loaded = Record<string, unknown>;

export const sessionFromDb = (row: Loaded): SessionRow => ({
  ...(row as unknown as SessionRow),
  created_at: iso(row["created_at"]),
  updated_at: iso(row["updated_at"]),
  last_accessed_at: iso(row["last_accessed_at"]),
});

export const promptFromDb = (row: Loaded): PromptRow => ({
  ...(row as unknown as PromptRow),
  created_at: iso(row["created_at"]),
  started_at: isoOrNull(row["started_at"]),
  finished_at: isoOrNull(row["finished_at"]),
  cancel_requested_at: isoOrNull(row["cancel_requested_at"]),
});

export const permissionFromDb = (row: Loaded): PermissionRow => ({
  ...(row as unknown as PermissionRow),
  requested_at: iso(row["requested_at"]),
  decided_at: isoOrNull(row["decided_at"]),
});

export const messageFromDb = (row: Loaded): MessageRow => ({
  ...(row as unknown as MessageRow),
  created_at: iso(row["created_at"]),
});

/** JSONB columns go to the driver as JSON text, so arrays are not mistaken for Postgres arrays. */
export const sessionToDb = (row: SessionRow) => ({ ...row, metadata: JSON.stringify(row.metadata), permission_rules: JSON.stringify(row.permission_rules) });
export const permissionToDb = (row: PermissionRow) => ({
  ...row, input: JSON.stringify(row.input), suggestions: JSON.stringify(row.suggestions), answers: row.answers === null ? null : JSON.stringify(row.answers),
});
export const promptToDb = (row: PromptRow) => ({ ...row, usage: row.usage === null ? null : JSON.stringify(row.usage) });
export const messageToDb = (row: MessageRow) => ({ ...row, content: JSON.stringify(row.content) });
