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

/** A file as the readers need it: where it is, and what its indexed lines are now (for caches). */
export type FileRow = { readonly id: number; readonly path: string; readonly generation: number; readonly lineCount: number };

/** An indexed line is the row the scanner wrote for it. */
export type IndexedLine = LineRow;

/**
 * One row per session: the main file whose name is the session id wins, else the largest file
 * whose lines carry that id (a `--continue` copy can carry an older id on its first lines), else
 * the newest row. A file without a conversation line (only a `queue-operation`, say) is no
 * session. Two spellings of that one rule: a DISTINCT ON pass for whole-table reads, and a
 * per-file test for a project's rows, which only looks at that project's rows (cwd index).
 */
const primaryFiles = sql`(
  SELECT DISTINCT ON (session_id) id, path, generation, line_count, session_id, cwd, custom_title, ai_title, summary,
    first_prompt, last_prompt, first_ts, last_ts, message_count, invalid_count, unknown_count, truncated_count, size,
    cli_version, git_branch
  FROM history_files
  WHERE kind = 'main' AND session_id IS NOT NULL AND message_count > 0
  ORDER BY session_id, (path LIKE '%/' || session_id || '.jsonl') DESC, size DESC, id DESC
)`;
const isPrimary = sql`h.kind = 'main' AND h.session_id IS NOT NULL AND h.message_count > 0 AND NOT EXISTS (
  SELECT 1 FROM history_files o
  WHERE o.session_id = h.session_id AND o.kind = 'main' AND o.message_count > 0 AND o.id <> h.id
    AND (o.path LIKE '%/' || o.session_id || '.jsonl', o.size, o.id) > (h.path LIKE '%/' || h.session_id || '.jsonl', h.size, h.id))`;

const isoOf = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** What a session's row is read for: its facts, and its file for the message reads (timestamps as ISO text). */
const sessionColumns = sql`h.id, h.path, h.generation, h.line_count, h.session_id, h.cwd, h.custom_title, h.ai_title,
  h.summary, h.first_prompt, h.last_prompt, ${isoOf("h.first_ts")} AS first_ts, ${isoOf("h.last_ts")} AS last_ts,
  h.message_count, h.invalid_count, h.unknown_count, h.truncated_count, h.size, h.cli_version, h.git_branch`;

const fileOf = (row: Record<string, unknown>): FileRow => ({
  id: row["id"] as number,
  path: row["path"] as string,
  generation: Number(row["generation"]),
  lineCount: Number(row["line_count"]),
});

/** Timestamps are formatted as ISO text in SQL (parsing them into Dates costs a listing more than its query). */
const iso = (value: unknown): string | null => (typeof value === "string" ? value : null);

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
    SELECT h.cwd, count(*)::int AS sessions, ${isoOf("max(h.last_ts)")} AS last_ts FROM ${primaryFiles} h
    WHERE h.cwd IS NOT NULL GROUP BY h.cwd ORDER BY max(h.last_ts) DESC NULLS LAST, h.cwd`.execute(db);
  return rows.map((row) => ({ projectPath: row["cwd"] as string, sessionCount: Number(row["sessions"]), lastTimestamp: iso(row["last_ts"]) }));
};

const sessionPage = (projectPath: string | undefined, page: { limit: number; offset: number }) =>
  projectPath === undefined
    ? sql`SELECT ${sessionColumns}, count(*) OVER () AS total FROM ${primaryFiles} h
        ORDER BY h.last_ts DESC NULLS LAST, h.session_id LIMIT ${page.limit} OFFSET ${page.offset}`
    : sql`SELECT ${sessionColumns}, count(*) OVER () AS total FROM history_files h WHERE h.cwd = ${projectPath} AND ${isPrimary}
        ORDER BY h.last_ts DESC NULLS LAST, h.session_id LIMIT ${page.limit} OFFSET ${page.offset}`;

export const listSessions = async (
  db: TranscriptDb,
  query: { projectPath?: string | undefined; limit: number; offset: number },
): Promise<{ sessions: SessionMeta[]; total: number }> => {
  const { rows } = await sessionPage(query.projectPath, query).$castTo<Record<string, unknown>>().execute(db);
  // An offset past the end returns no row to carry the total: count apart then.
  const total = rows.length > 0 || query.offset === 0 ? Number(rows[0]?.["total"] ?? 0) : await countSessions(db, query.projectPath);
  return { sessions: rows.map(toMeta), total };
};

const countSessions = async (db: TranscriptDb, projectPath: string | undefined): Promise<number> => {
  const where = projectPath === undefined ? sql`TRUE` : sql`h.cwd = ${projectPath}`;
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${primaryFiles} h WHERE ${where}`.execute(db);
  return rows[0]?.n ?? 0;
};

export const getSessionRow = async (db: TranscriptDb, sessionId: string): Promise<(SessionMeta & { file: FileRow }) | undefined> => {
  const { rows } = await sql<Record<string, unknown>>`SELECT ${sessionColumns} FROM ${primaryFiles} h WHERE h.session_id = ${sessionId}`.execute(db);
  const row = rows[0];
  return row === undefined ? undefined : { ...toMeta(row), file: fileOf(row) };
};

export type AgentFile = FileRow & { readonly agentId: string | null; readonly toolUseId: string | null; readonly messageCount: number };

/** A session's subagent transcripts, oldest first; CLI 2.0's "Warmup" agents are none. */
export const listAgentFiles = async (db: TranscriptDb, sessionId: string): Promise<AgentFile[]> =>
  (
    await db
      .selectFrom("history_files")
      .select(["id", "path", "generation", "line_count", "agent_id", "tool_use_id", "message_count"])
      .where("session_id", "=", sessionId)
      .where("kind", "=", "agent")
      .where("is_warmup", "=", false)
      .orderBy("first_ts")
      .orderBy("path")
      .execute()
  ).map((row) => ({
    ...fileOf(row),
    agentId: (row.agent_id as string | null) ?? null,
    toolUseId: (row.tool_use_id as string | null) ?? null,
    messageCount: Number(row.message_count),
  }));

/** An indexed line with its time in epoch milliseconds (null when it has none), to merge files by. */
export type TimedLine = IndexedLine & { readonly ms: number | null };

/**
 * A file's rows in lines [from, to), in file order, shaped in SQL (bigints as numbers,
 * timestamps as ISO text): a reader caches them, so a page needs no query of its own.
 */
export const loadLines = async (db: TranscriptDb, fileId: number, from: number, to: number): Promise<TimedLine[]> => {
  const { rows } = await sql<TimedLine>`
    SELECT line_no AS "lineNo", byte_offset::float8 AS "offset", byte_length AS "length", kind, uuid,
      parent_uuid AS "parentUuid", logical_parent_uuid AS "logicalParentUuid", flags, agent_id AS "agentId",
      message_id AS "messageId", parent_tool_use_id AS "parentToolUseId",
      to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts, (extract(epoch FROM ts) * 1000)::float8 AS ms
    FROM history_lines WHERE file_id = ${fileId} AND line_no >= ${from} AND line_no < ${to} ORDER BY line_no`.execute(db);
  return rows;
};
