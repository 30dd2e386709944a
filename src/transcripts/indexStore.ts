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

/** The file was replaced or shrank: forget everything indexed from it. */
export const resetFile = async (trx: TranscriptTrx, id: number): Promise<void> => {
  await trx.deleteFrom("history_lines").where("file_id", "=", id).execute();
  await trx.deleteFrom("history_summaries").where("file_id", "=", id).execute();
  await trx
    .updateTable("history_files")
    .set({
      scanned_bytes: 0, line_count: 0, message_count: 0, invalid_count: 0, unknown_count: 0, truncated_count: 0,
      session_id: null, cwd: null, first_ts: null, last_ts: null, first_prompt: null, last_prompt: null,
      custom_title: null, ai_title: null, summary: null, cli_version: null, git_branch: null, leaf_uuid: null,
      is_warmup: false, generation: sql`generation + 1`,
    })
    .where("id", "=", id)
    .execute();
};

export type FileWrite = { fileId: number; reset: boolean; stat: FileStat; scannedBytes: number; delta: FileDelta };

/**
 * Rows travel as one JSON parameter: JSON.stringify is native and Postgres unpacks it on its own
 * CPU, where pg's array literals would be built in JavaScript, value by value.
 */
const insertRows = async (trx: TranscriptTrx, writes: readonly FileWrite[]): Promise<void> => {
  const rows = writes.flatMap(({ fileId, delta }) =>
    delta.rows.map((r: LineRow) => ({
      f: fileId, n: r.lineNo, o: r.offset, l: r.length, k: r.kind, u: r.uuid, p: r.parentUuid, lp: r.logicalParentUuid,
      fl: r.flags, a: r.agentId, m: r.messageId, pt: r.parentToolUseId, ts: r.ts,
    })),
  );
  if (rows.length === 0) return;
  await sql`
    INSERT INTO history_lines (file_id, line_no, byte_offset, byte_length, kind, uuid, parent_uuid,
      logical_parent_uuid, flags, agent_id, message_id, parent_tool_use_id, ts)
    SELECT f, n, o, l, k, u, p, lp, fl, a, m, pt, ts FROM json_to_recordset(${JSON.stringify(rows)}::json)
      AS r(f int, n int, o bigint, l int, k text, u text, p text, lp text, fl int, a text, m text, pt text, ts timestamptz)
    ON CONFLICT (file_id, line_no) DO NOTHING`.execute(trx);
};

const insertSummaries = async (trx: TranscriptTrx, writes: readonly FileWrite[]): Promise<void> => {
  const values = writes.flatMap(({ fileId, delta }) =>
    delta.summaries.map((s) => ({ file_id: fileId, line_no: s.lineNo, leaf_uuid: s.leafUuid, summary: s.summary })),
  );
  if (values.length === 0) return;
  await trx.insertInto("history_summaries").values(values).onConflict((oc) => oc.doNothing()).execute();
};

const updateFacts = async (trx: TranscriptTrx, writes: readonly FileWrite[]): Promise<void> => {
  const facts = writes.map(({ fileId, stat, scannedBytes, delta: { facts: f, counts: c } }) => ({
    id: fileId, size: stat.size, mtime: stat.mtimeMs, ino: stat.ino, scanned: scannedBytes,
    lines: c.lines, messages: c.messages, invalid: c.invalid, unknown: c.unknown, truncated: c.truncated,
    session_id: f.sessionId, cwd: f.cwd, first_ts: f.firstTs, last_ts: f.lastTs, first_prompt: f.firstPrompt,
    last_prompt: f.lastPrompt, custom_title: f.customTitle, ai_title: f.aiTitle, version: f.version,
    git_branch: f.gitBranch, leaf_uuid: f.leafUuid, warmup: f.warmup,
  }));
  await sql`
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
      leaf_uuid = coalesce(d.leaf_uuid, h.leaf_uuid), updated_at = now(),
      is_warmup = CASE WHEN h.message_count = 0 THEN coalesce(d.warmup, false) ELSE h.is_warmup END
    FROM json_to_recordset(${JSON.stringify(facts)}::json) AS d(id int, size bigint, mtime double precision, ino text,
      scanned bigint, lines int, messages int, invalid int, unknown int, truncated int, session_id text, cwd text,
      first_ts timestamptz, last_ts timestamptz, first_prompt text, last_prompt text, custom_title text, ai_title text,
      version text, git_branch text, leaf_uuid text, warmup boolean)
    WHERE h.id = d.id`.execute(trx);
};

/**
 * Writes the new rows and facts of several files in one transaction, with their `scanned_bytes`:
 * a crash mid-scan re-reads the same bytes next time instead of indexing them twice.
 */
export const writeBatch = async (db: TranscriptDb, writes: readonly FileWrite[]): Promise<void> => {
  if (writes.length === 0) return;
  await db.transaction().execute(async (trx) => {
    // The index is a disposable read model; not waiting for the WAL flush on every batch is
    // what makes indexing thousands of small files fast, and a lost tail is simply read again.
    await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    for (const write of writes) if (write.reset) await resetFile(trx, write.fileId);
    await insertRows(trx, writes);
    await insertSummaries(trx, writes);
    await updateFacts(trx, writes);
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
 * Titles from `summary` lines, whose leaf may sit in another file. Files that changed look up
 * summaries of their own lines (primary key + summary index); only new summary lines look for
 * their leaf everywhere, which is rare (1.0.x wrote them) and so may scan.
 */
export const refreshSummaries = async (db: TranscriptDb, changed: readonly number[], withSummaries: readonly number[]): Promise<void> => {
  const apply = (source: ReturnType<typeof sql>) => sql`
    UPDATE history_files f SET summary = s.summary FROM (
      SELECT DISTINCT ON (l.file_id) l.file_id, hs.summary FROM ${source}
      ORDER BY l.file_id, hs.file_id DESC, hs.line_no DESC
    ) s WHERE f.id = s.file_id`.execute(db);
  if (changed.length > 0) {
    await apply(sql`history_lines l JOIN history_summaries hs ON hs.leaf_uuid = l.uuid WHERE l.file_id = ANY(${changed}::int[])`);
  }
  if (withSummaries.length > 0) {
    await apply(sql`history_summaries hs JOIN history_lines l ON l.uuid = hs.leaf_uuid WHERE hs.file_id = ANY(${withSummaries}::int[])`);
  }
};
