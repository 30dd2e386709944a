import { sql } from "kysely";
import type { FileDelta, LineRow } from "./fileDelta.ts";
import type { TranscriptFileRef } from "./paths.ts";
import type { TranscriptDb, TranscriptTrx } from "./transcriptDb.ts";

/**
 * Writes of the history index (migrations/0005_history_index.ts). A file's new rows and its
 * updated facts go in one transaction, with `scanned_bytes`: a crash mid-scan re-reads the same
 * bytes next time instead of indexing them twice.
 */
export type KnownFile = {
  readonly id: number;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: string;
  readonly scannedBytes: number;
  readonly lineCount: number;
};

export type FileStat = { readonly size: number; readonly mtimeMs: number; readonly ino: string };

/** The indexed files, or only those at `paths` (a scan of the files an event named). */
export const loadKnownFiles = async (db: TranscriptDb, paths?: readonly string[]): Promise<Map<string, KnownFile>> => {
  if (paths?.length === 0) return new Map();
  let query = db.selectFrom("history_files").select(["id", "path", "size", "mtime_ms", "file_ino", "scanned_bytes", "line_count"]);
  if (paths !== undefined) query = query.where("path", "in", paths);
  const rows = await query.execute();
  return new Map(
    rows.map((row) => [
      row.path as string,
      {
        id: row.id as number,
        path: row.path as string,
        size: Number(row.size),
        mtimeMs: Number(row.mtime_ms),
        ino: row.file_ino as string,
        scannedBytes: Number(row.scanned_bytes),
        lineCount: row.line_count as number,
      },
    ]),
  );
};

export const deleteFiles = async (db: TranscriptDb, ids: readonly number[]): Promise<void> => {
  if (ids.length > 0) await db.deleteFrom("history_files").where("id", "in", ids).execute();
};

type Executor = TranscriptDb | TranscriptTrx;

/** The files were replaced or shrank: forget everything indexed from them (line numbers restart). */
const resetFiles = async (db: Executor, ids: readonly number[]): Promise<void> => {
  await sql`
    WITH lines AS (DELETE FROM history_lines WHERE file_id = ANY(${ids}::int[])),
      summaries AS (DELETE FROM history_summaries WHERE file_id = ANY(${ids}::int[]))
    UPDATE history_files SET
      scanned_bytes = 0, line_count = 0, message_count = 0, invalid_count = 0, unknown_count = 0, truncated_count = 0,
      session_id = NULL, cwd = NULL, first_ts = NULL, last_ts = NULL, first_prompt = NULL, last_prompt = NULL,
      custom_title = NULL, ai_title = NULL, summary = NULL, cli_version = NULL, git_branch = NULL, leaf_uuid = NULL,
      is_warmup = false, generation = generation + 1
    WHERE id = ANY(${ids}::int[])`.execute(db);
};

export type FileWrite = { fileId: number; reset: boolean; stat: FileStat; scannedBytes: number; delta: FileDelta };

/**
 * Rows travel as one JSON parameter: JSON.stringify is native and Postgres unpacks it on its own
 * CPU, where pg's array literals would be built in JavaScript, value by value.
 */
const linesJson = (writes: readonly FileWrite[]): string =>
  JSON.stringify(writes.flatMap(({ fileId, delta }) =>
    delta.rows.map((r: LineRow) => ({
      f: fileId, n: r.lineNo, o: r.offset, l: r.length, k: r.kind, u: r.uuid, p: r.parentUuid, lp: r.logicalParentUuid,
      fl: r.flags, a: r.agentId, m: r.messageId, pt: r.parentToolUseId, ts: r.ts,
    }))));

const summariesJson = (writes: readonly FileWrite[]): string =>
  JSON.stringify(writes.flatMap(({ fileId, delta }) => delta.summaries.map((s) => ({ f: fileId, n: s.lineNo, leaf: s.leafUuid, summary: s.summary }))));

const factsJson = (writes: readonly FileWrite[]): string =>
  JSON.stringify(writes.map(({ fileId, stat, scannedBytes, delta: { facts: f, counts: c } }) => ({
    id: fileId, size: stat.size, mtime: stat.mtimeMs, ino: stat.ino, scanned: scannedBytes,
    lines: c.lines, messages: c.messages, invalid: c.invalid, unknown: c.unknown, truncated: c.truncated,
    session_id: f.sessionId, cwd: f.cwd, first_ts: f.firstTs, last_ts: f.lastTs, first_prompt: f.firstPrompt,
    last_prompt: f.lastPrompt, custom_title: f.customTitle, ai_title: f.aiTitle, version: f.version,
    git_branch: f.gitBranch, leaf_uuid: f.leafUuid, warmup: f.warmup,
  })));

/** The files' new facts; counts add up, a first value stays first, a last one is replaced. */
const updateFacts = (json: string) => sql`
  UPDATE history_files h SET
    size = d.size, mtime_ms = d.mtime, file_ino = d.ino, scanned_bytes = d.scanned,
    line_count = h.line_count + d.lines, message_count = h.message_count + d.messages,
    invalid_count = h.invalid_count + d.invalid, unknown_count = h.unknown_count + d.unknown,
    truncated_count = h.truncated_count + d.truncated,
    session_id = coalesce(d.session_id, h.session_id), cwd = coalesce(h.cwd, d.cwd),
    first_ts = least(h.first_ts, d.first_ts), last_ts = greatest(h.last_ts, d.last_ts),
    first_prompt = coalesce(h.first_prompt, d.first_prompt), last_prompt = coalesce(d.last_prompt, h.last_prompt),
    custom_title = coalesce(d.custom_title, h.custom_title), ai_title = coalesce(d.ai_title, h.ai_title),
    cli_version = coalesce(d.version, h.cli_version), git_branch = coalesce(d.git_branch, h.git_branch),
    leaf_uuid = coalesce(d.leaf_uuid, h.leaf_uuid), summary = coalesce(t.summary, h.summary), updated_at = now(),
    is_warmup = CASE WHEN h.message_count = 0 THEN coalesce(d.warmup, false) ELSE h.is_warmup END
  FROM json_to_recordset(${json}::json) AS d(id int, size bigint, mtime double precision, ino text,
    scanned bigint, lines int, messages int, invalid int, unknown int, truncated int, session_id text, cwd text,
    first_ts timestamptz, last_ts timestamptz, first_prompt text, last_prompt text, custom_title text, ai_title text,
    version text, git_branch text, leaf_uuid text, warmup boolean)
    LEFT JOIN titles t ON t.f = d.id
  WHERE h.id = d.id`;

/**
 * New rows, summaries and facts of several files in one statement, so they commit together with
 * their `scanned_bytes` (a crash re-reads the same bytes instead of indexing them twice). A title
 * from a `summary` line naming one of the new lines (1.0.x, possibly in another file) is taken
 * on the way. The index is a disposable read model: not waiting for the WAL flush
 * (synchronous_commit off, for this transaction only) is what makes indexing thousands of files
 * fast and an append cheap, and a lost tail is simply read again.
 */
const writeRows = async (db: Executor, writes: readonly FileWrite[]): Promise<void> => {
  await sql`
    WITH commit_mode AS (SELECT set_config('synchronous_commit', 'off', true) AS mode),
    r AS (SELECT * FROM json_to_recordset(${linesJson(writes)}::json)
      AS r(f int, n int, o bigint, l int, k text, u text, p text, lp text, fl int, a text, m text, pt text, ts timestamptz)),
    new_lines AS (
      INSERT INTO history_lines (file_id, line_no, byte_offset, byte_length, kind, uuid, parent_uuid,
        logical_parent_uuid, flags, agent_id, message_id, parent_tool_use_id, ts)
      SELECT f, n, o, l, k, u, p, lp, fl, a, m, pt, ts FROM r
      ON CONFLICT (file_id, line_no) DO NOTHING),
    new_summaries AS (
      INSERT INTO history_summaries (file_id, line_no, leaf_uuid, summary)
      SELECT f, n, leaf, summary FROM json_to_recordset(${summariesJson(writes)}::json) AS s(f int, n int, leaf text, summary text)
      ON CONFLICT DO NOTHING),
    titles AS (
      SELECT DISTINCT ON (r.f) r.f, hs.summary FROM r JOIN history_summaries hs ON hs.leaf_uuid = r.u
      ORDER BY r.f, hs.file_id DESC, hs.line_no DESC),
    facts AS (${updateFacts(factsJson(writes))})
    SELECT mode FROM commit_mode`.execute(db);
};

/**
 * Writes several files' new rows and facts: one statement, or one transaction when a file is
 * indexed again from the start (readers never see it emptied).
 */
export const writeBatch = async (db: TranscriptDb, writes: readonly FileWrite[]): Promise<void> => {
  if (writes.length === 0) return;
  const resets = writes.filter((write) => write.reset).map((write) => write.fileId);
  if (resets.length === 0) return writeRows(db, writes);
  await db.transaction().execute(async (trx) => {
    await resetFiles(trx, resets);
    await writeRows(trx, writes);
  });
};

/** Registers new files in one statement; returns path → id. */
export const insertFiles = async (db: TranscriptDb, refs: readonly TranscriptFileRef[]): Promise<Map<string, number>> => {
  if (refs.length === 0) return new Map();
  const rows = await db
    .insertInto("history_files")
    .values(refs.map((ref) => ({ path: ref.path, project_dir: ref.projectDir, kind: ref.kind, agent_id: ref.agentId ?? null, tool_use_id: ref.toolUseId ?? null })))
    .onConflict((oc) => oc.column("path").doUpdateSet((eb) => ({ project_dir: eb.ref("excluded.project_dir") })))
    .returning(["id", "path"])
    .execute();
  return new Map(rows.map((row) => [row.path as string, row.id as number]));
};

/**
 * Titles from new `summary` lines, whose leaf may sit in any file: rare (1.0.x wrote them), so
 * this may scan. (A file's own new lines took their titles as they were written.)
 */
export const applyNewSummaries = async (db: TranscriptDb, withSummaries: readonly number[]): Promise<void> => {
  if (withSummaries.length === 0) return;
  await sql`
    UPDATE history_files f SET summary = s.summary FROM (
      SELECT DISTINCT ON (l.file_id) l.file_id, hs.summary
      FROM history_summaries hs JOIN history_lines l ON l.uuid = hs.leaf_uuid WHERE hs.file_id = ANY(${withSummaries}::int[])
      ORDER BY l.file_id, hs.file_id DESC, hs.line_no DESC
    ) s WHERE f.id = s.file_id`.execute(db);
};
