import { sql } from "kysely";
import type { LineRow } from "./fileDelta.ts";
import type { TranscriptDb } from "./transcriptDb.ts";

/** Read queries over the transcript index: projects, sessions, and a session's line rows. */
export type SessionMeta = {
  readonly claudeSessionId: string;
  readonly projectPath: string | null;
  readonly title: string | null;
  readonly summary: string | null;
  readonly firstPrompt: string | null;
  readonly lastPrompt: string | null;
  readonly firstTimestamp: string | null;
  readonly lastTimestamp: string | null;
  readonly messageCount: number;
  readonly lineCount: number;
  readonly invalidLines: number;
  readonly unknownLines: number;
  readonly truncatedLines: number;
  readonly sizeBytes: number;
  readonly cliVersion: string | null;
  readonly gitBranch: string | null;
};

export type ProjectMeta = { readonly projectPath: string; readonly sessionCount: number; readonly lastTimestamp: string | null };

export type FileRow = { readonly id: number; readonly path: string };

export type GraphRow = Pick<IndexedLine, "lineNo" | "kind" | "uuid" | "parentUuid" | "logicalParentUuid" | "flags" | "agentId" | "messageId" | "parentToolUseId">;

/** An indexed line is the row the scanner wrote for it. */
export type IndexedLine = LineRow;

/**
 * One row per session: the main file whose name is the session id wins, else the largest file
 * whose lines carry that id (a `--continue` copy can carry an older id on its first lines).
 */
const primaryFiles = sql`(
  SELECT DISTINCT ON (session_id) * FROM history_files
  WHERE kind = 'main' AND session_id IS NOT NULL
  ORDER BY session_id, (path LIKE '%/' || session_id || '.jsonl') DESC, size DESC
)`;

const iso = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : value === null ? null : String(value));

const toMeta = (row: Record<string, unknown>): SessionMeta => ({
  claudeSessionId: row["session_id"] as string,
  projectPath: (row["cwd"] as string | null) ?? null,
  title: ((row["custom_title"] ?? row["ai_title"] ?? row["summary"]) as string | null) ?? null,
  summary: (row["summary"] as string | null) ?? null,
  firstPrompt: (row["first_prompt"] as string | null) ?? null,
  lastPrompt: (row["last_prompt"] as string | null) ?? null,
  firstTimestamp: iso(row["first_ts"]),
  lastTimestamp: iso(row["last_ts"]),
  messageCount: Number(row["message_count"]),
  lineCount: Number(row["line_count"]),
  invalidLines: Number(row["invalid_count"]),
  unknownLines: Number(row["unknown_count"]),
  truncatedLines: Number(row["truncated_count"]),
  sizeBytes: Number(row["size"]),
  cliVersion: (row["cli_version"] as string | null) ?? null,
  gitBranch: (row["git_branch"] as string | null) ?? null,
});

export const listProjects = async (db: TranscriptDb): Promise<ProjectMeta[]> => {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT cwd, count(*)::int AS sessions, max(last_ts) AS last_ts FROM ${primaryFiles} p
    WHERE cwd IS NOT NULL GROUP BY cwd ORDER BY max(last_ts) DESC NULLS LAST, cwd`.execute(db);
  return rows.map((row) => ({ projectPath: row["cwd"] as string, sessionCount: Number(row["sessions"]), lastTimestamp: iso(row["last_ts"]) }));
};

export const listSessions = async (
  db: TranscriptDb,
  query: { projectPath?: string | undefined; limit: number; offset: number },
): Promise<{ sessions: SessionMeta[]; total: number }> => {
  const where = query.projectPath === undefined ? sql`TRUE` : sql`cwd = ${query.projectPath}`;
  const { rows } = await sql<Record<string, unknown>>`
    SELECT *, count(*) OVER () AS total FROM ${primaryFiles} p WHERE ${where}
    ORDER BY last_ts DESC NULLS LAST, session_id LIMIT ${query.limit} OFFSET ${query.offset}`.execute(db);
  const total = rows.length > 0 ? Number(rows[0]?.["total"]) : (await countSessions(db, where));
  return { sessions: rows.map(toMeta), total };
};

const countSessions = async (db: TranscriptDb, where: ReturnType<typeof sql>): Promise<number> => {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${primaryFiles} p WHERE ${where}`.execute(db);
  return rows[0]?.n ?? 0;
};

export const getSessionRow = async (db: TranscriptDb, sessionId: string): Promise<(SessionMeta & { file: FileRow }) | undefined> => {
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${primaryFiles} p WHERE session_id = ${sessionId}`.execute(db);
  const row = rows[0];
  return row === undefined ? undefined : { ...toMeta(row), file: { id: row["id"] as number, path: row["path"] as string } };
};

export const listAgentFiles = async (db: TranscriptDb, sessionId: string) =>
  (
    await db
      .selectFrom("history_files")
      .select(["id", "path", "agent_id", "tool_use_id", "message_count"])
      .where("session_id", "=", sessionId)
      .where("kind", "=", "agent")
      .orderBy("first_ts")
      .execute()
  ).map((row) => ({
    id: row.id as number,
    path: row.path as string,
    agentId: (row.agent_id as string | null) ?? null,
    toolUseId: (row.tool_use_id as string | null) ?? null,
    messageCount: Number(row.message_count),
  }));

const toLine = (row: Record<string, unknown>): IndexedLine => ({
  lineNo: row["line_no"] as number,
  offset: Number(row["byte_offset"]),
  length: row["byte_length"] as number,
  kind: row["kind"] as string,
  uuid: (row["uuid"] as string | null) ?? null,
  parentUuid: (row["parent_uuid"] as string | null) ?? null,
  logicalParentUuid: (row["logical_parent_uuid"] as string | null) ?? null,
  flags: row["flags"] as number,
  agentId: (row["agent_id"] as string | null) ?? null,
  messageId: (row["message_id"] as string | null) ?? null,
  parentToolUseId: (row["parent_tool_use_id"] as string | null) ?? null,
  ts: iso(row["ts"]),
});

/** Graph columns of every message row of a file: enough to compute the main thread. */
export const loadGraphRows = async (db: TranscriptDb, fileId: number): Promise<GraphRow[]> => {
  const { rows } = await sql<GraphRow>`
    SELECT line_no AS "lineNo", kind, uuid, parent_uuid AS "parentUuid", logical_parent_uuid AS "logicalParentUuid",
      flags, agent_id AS "agentId", message_id AS "messageId", parent_tool_use_id AS "parentToolUseId"
    FROM history_lines WHERE file_id = ${fileId} ORDER BY line_no`.execute(db);
  return rows;
};

export const loadLinesByNumber = async (db: TranscriptDb, fileId: number, lineNos: readonly number[]): Promise<IndexedLine[]> => {
  if (lineNos.length === 0) return [];
  const rows = await db.selectFrom("history_lines").selectAll().where("file_id", "=", fileId).where("line_no", "in", lineNos).orderBy("line_no").execute();
  return rows.map(toLine);
};

/** One page of message rows before `before`, in file order. */
export const loadLines = async (
  db: TranscriptDb,
  fileId: number,
  page: { before: number | undefined; limit: number },
): Promise<IndexedLine[]> => {
  let query = db.selectFrom("history_lines").selectAll().where("file_id", "=", fileId);
  if (page.before !== undefined) query = query.where("line_no", "<", page.before);
  const rows = await query.orderBy("line_no", "desc").limit(page.limit).execute();
  return rows.map(toLine).reverse();
};
