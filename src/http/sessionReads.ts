/**
 * What the phone reads: the read side's contract. The HTTP routes depend on this interface;
 * the projections' read models implement it.
 */
export type SessionStatusView = "active" | "inactive" | "archived";
export type JobStatusView = "completed" | "failed" | "cancelled";
export type PromptStatusView = "queued" | "running" | "completed" | "failed" | "cancelled";

export interface SessionView {
  readonly id: string;
  readonly projectPath: string;
  readonly machineId: string | null;
  readonly context: string | null;
  readonly status: SessionStatusView;
  readonly claudeDirectoryPath: string;
  readonly claudeCodeSessionId: string | null;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastAccessedAt: string;
  readonly isWorking: boolean;
  readonly currentJobId: string | null;
  readonly lastJobStatus: JobStatusView | null;
  readonly pendingPermissions: number;
  readonly permissionRules: string[];
}

export interface PermissionView {
  readonly requestId: string;
  readonly sessionId: string;
  readonly promptId: string | null;
  readonly jobId: string;
  readonly toolName: string;
  readonly input: Record<string, unknown>;
  readonly kind: "tool" | "question" | "plan";
  readonly status: "pending" | "allowed" | "denied" | "expired" | "cancelled";
  readonly decision: "allow" | "allow_always" | "deny" | null;
  readonly requestedAt: string;
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
  readonly message: string | null;
  readonly answers: Record<string, string> | null;
  readonly suggestions: unknown[];
  readonly description: string | null;
}

export interface PromptView {
  readonly promptId: string;
  readonly sessionId: string;
  readonly messageId: string;
  readonly prompt: string;
  readonly status: PromptStatusView;
  /** 0 while running, 1.. while queued, null once finished. */
  readonly queuePosition: number | null;
  readonly jobId: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly exitCode: number | null;
  readonly costUsd: number | null;
  readonly usage: Record<string, unknown> | null;
  readonly numTurns: number | null;
  readonly durationMs: number | null;
  readonly error: string | null;
}

export interface MessageView {
  readonly id: string;
  readonly sessionId: string;
  /** Per-session sequence number, for cursor paging. */
  readonly seq: number;
  readonly type: "user" | "assistant";
  readonly text: string;
  readonly promptId: string | null;
  readonly claudeSessionId: string | null;
  readonly content: readonly Record<string, unknown>[];
  readonly createdAt: string;
}

export interface SessionListQuery {
  readonly status?: SessionStatusView;
  readonly limit: number;
  readonly offset: number;
  readonly includeUnlinked: boolean;
}

export interface MessagePageQuery {
  readonly limit: number;
  readonly before?: number;
  readonly after?: number;
}

export interface SessionReads {
  /** False until the read models are migrated (the database was away at start-up). */
  ready(): boolean;
  getSession(sessionId: string): Promise<SessionView | null>;
  listSessions(query: SessionListQuery): Promise<{ sessions: SessionView[]; total: number }>;
  listPrompts(sessionId: string): Promise<PromptView[]>;
  getPrompt(sessionId: string, promptId: string): Promise<PromptView | null>;
  listPermissions(sessionId: string): Promise<PermissionView[]>;
  getPermission(sessionId: string, requestId: string): Promise<PermissionView | null>;
  /** Newest first by default; `after` pages forward (oldest first). */
  listMessages(sessionId: string, query: MessagePageQuery): Promise<MessageView[]>;
  /** Read your writes: resolves true once every projection has passed `position`, false on timeout. */
  waitForPosition(position: string, timeoutMs: number): Promise<boolean>;
}
