import type { MessageRow, PermissionRow, SessionRow } from "../../projections/sessions/rows.ts";
import { sessionQueries, type PromptRowWithPosition } from "../../projections/sessions/queries.ts";
import type { MessageView, PermissionView, PromptView, SessionReads, SessionView } from "../http/sessionReads.ts";
import type { Database } from "../infra/database.ts";
import { createPositionWaiter, type CheckpointSource } from "./waitForPosition.ts";

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));
const isoOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : iso(value));

export const toSessionView = (row: SessionRow): SessionView => ({
  id: row.id,
  projectPath: row.project_path,
  machineId: row.machine_id,
  context: row.context,
  status: row.status,
  claudeDirectoryPath: row.claude_directory_path,
  claudeCodeSessionId: row.claude_code_session_id,
  metadata: row.metadata,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
  lastAccessedAt: iso(row.last_accessed_at),
  isWorking: row.is_working,
  currentJobId: row.current_job_id,
  lastJobStatus: row.last_job_status,
  pendingPermissions: row.pending_permissions,
  permissionRules: row.permission_rules,
});

export const toPermissionView = (row: PermissionRow): PermissionView => ({
  requestId: row.request_id, sessionId: row.session_id, promptId: row.prompt_id, jobId: row.job_id, toolName: row.tool_name,
  input: row.input, kind: row.kind, status: row.status, decision: row.decision, requestedAt: iso(row.requested_at),
  decidedAt: isoOrNull(row.decided_at), decidedBy: row.decided_by, message: row.message, answers: row.answers,
  suggestions: row.suggestions, description: row.description,
});

export const toPromptView = (row: PromptRowWithPosition): PromptView => ({
  promptId: row.prompt_id,
  sessionId: row.session_id,
  messageId: row.message_id,
  prompt: row.prompt,
  status: row.status,
  queuePosition: row.queue_position,
  jobId: row.job_id,
  createdAt: iso(row.created_at),
  startedAt: isoOrNull(row.started_at),
  finishedAt: isoOrNull(row.finished_at),
  exitCode: row.exit_code,
  costUsd: row.cost_usd,
  usage: row.usage,
  numTurns: row.num_turns,
  durationMs: row.duration_ms,
  error: row.error,
});

export const toMessageView = (row: MessageRow): MessageView => ({
  id: row.id,
  sessionId: row.session_id,
  seq: row.seq,
  type: row.type,
  text: row.text,
  promptId: row.prompt_id,
  claudeSessionId: row.claude_session_id,
  content: row.content,
  createdAt: iso(row.created_at),
});

export interface SessionReadsDeps {
  readonly db: Database;
  /** Projections a fresh read waits for (every projection the service runs). */
  readonly projections: readonly string[];
  readonly projector?: CheckpointSource;
  readonly pollMs?: number;
  /** Whether the read models are migrated yet; always when not given. */
  readonly ready?: () => boolean;
}

/** The phone's reads over the Postgres read models, with read-your-writes waits. */
export const createSessionReads = (deps: SessionReadsDeps): SessionReads => {
  const queries = sessionQueries(deps.db);
  return {
    ready: deps.ready ?? (() => true),
    async getSession(sessionId) {
      const row = await queries.getSession(sessionId);
      return row ? toSessionView(row) : null;
    },
    async listSessions(query) {
      const { rows, total } = await queries.listSessions(query);
      return { sessions: rows.map(toSessionView), total };
    },
    async listPrompts(sessionId) {
      return (await queries.listPrompts(sessionId)).map(toPromptView);
    },
    async getPrompt(sessionId, promptId) {
      const row = await queries.getPrompt(sessionId, promptId);
      return row ? toPromptView(row) : null;
    },
    async listPermissions(sessionId) {
      return (await queries.listPermissions(sessionId)).map(toPermissionView);
    },
    async getPermission(sessionId, requestId) {
      const row = await queries.getPermission(sessionId, requestId);
      return row ? toPermissionView(row) : null;
    },
    async listMessages(sessionId, query) {
      return (await queries.listMessages(sessionId, query)).map(toMessageView);
    },
    waitForPosition: createPositionWaiter(deps),
  };
};
