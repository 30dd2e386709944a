import type { FileHandle } from "node:fs/promises";
import type { Logger } from "pino";
import { AppError } from "../errors.ts";
import { isSafeSessionId, openContained } from "./paths.ts";
import { createTranscriptScanner, type TranscriptScanner } from "./scanner.ts";
import { readSpans } from "./spanReader.ts";
import { createThreadCache } from "./threadCache.ts";
import * as queries from "./transcriptQueries.ts";
import type { FileRow, IndexedLine, ProjectMeta, SessionMeta } from "./transcriptQueries.ts";
import { toTranscriptMessage, type TranscriptMessage } from "./transcriptMessage.ts";
import type { TranscriptDb } from "./transcriptDb.ts";
import { NotRegularFileError } from "../infra/regularFile.ts";

/** What the history routes and the CLI need; reads come from the index, bodies from disk. */
export type TranscriptPage = { readonly messages: TranscriptMessage[]; readonly hasMore: boolean; readonly nextBefore: number | null };
export type SessionDetail = SessionMeta & {
  readonly subagents: Array<{ agentId: string | null; toolUseId: string | null; messageCount: number }>;
};

export type TranscriptService = {
  readonly scan: TranscriptScanner["scan"];
  listProjects(): Promise<ProjectMeta[]>;
  listSessions(query: { projectPath?: string | undefined; limit: number; offset: number }): Promise<{ sessions: SessionMeta[]; total: number }>;
  getSession(claudeSessionId: string): Promise<SessionDetail>;
  getMessages(claudeSessionId: string, query: { limit: number; before?: number | undefined; thread: "main" | "all" }): Promise<TranscriptPage>;
};

export const transcriptErrors = {
  notFound: (id: string) => AppError.of("history_session_not_found", `no Claude Code session ${id} in the history index`),
  badId: () => AppError.of("history_invalid_session_id", "a Claude session id is letters, digits, '-' and '_' only"),
  unreadable: (id: string) => AppError.of("history_file_unavailable", `the history file of session ${id} is gone or outside the Claude folder`),
  notRegular: (id: string) => AppError.of("history_file_not_regular", `the history file of session ${id} is no longer a regular file`),
};

/** The session's transcript, open; a 410 problem at once when it is gone, outside or not a regular file. */
const openTranscript = async (claudeConfigDir: string, path: string, id: string): Promise<FileHandle> => {
  let handle: FileHandle | undefined;
  try {
    handle = await openContained(claudeConfigDir, path);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw transcriptErrors.notRegular(id);
    throw error;
  }
  if (handle === undefined) throw transcriptErrors.unreadable(id);
  return handle;
};

type PageFile = FileRow & { readonly agentId: string | null };
/** A page: each entry is a file (index in the page's files) and one of its rows. */
type Page = { readonly lines: ReadonlyArray<{ file: number; row: IndexedLine }>; readonly hasMore: boolean; readonly nextBefore: number | null };

/** Index of the first entry whose line number is at or after `lineNo`, in an ascending thread. */
const lowerBound = (thread: readonly number[], rows: readonly IndexedLine[], lineNo: number): number => {
  let low = 0;
  let high = thread.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((rows[thread[mid] as number] as IndexedLine).lineNo < lineNo) low = mid + 1;
    else high = mid;
  }
  return low;
};

export const createTranscriptService = (deps: { db: TranscriptDb; claudeConfigDir: string; logger: Logger }): TranscriptService => {
  const scanner = createTranscriptScanner(deps);
  const threads = createThreadCache({ db: deps.db });
  const sessionRow = async (id: string) => {
    if (!isSafeSessionId(id)) throw transcriptErrors.badId();
    const row = await queries.getSessionRow(deps.db, id);
    if (row === undefined) throw transcriptErrors.notFound(id);
    return row;
  };

  /** One file's lines of a page: one open, one read per span of neighbouring lines. */
  const readFileLines = async (id: string, file: PageFile, rows: readonly IndexedLine[]): Promise<Map<IndexedLine, TranscriptMessage>> => {
    const handle = await openTranscript(deps.claudeConfigDir, file.path, id);
    try {
      const bodies = await readSpans(handle, rows);
      return new Map(rows.map((row) => [row, toTranscriptMessage(row, bodies.get(row.lineNo), file.agentId)]));
    } finally {
      void handle.close().catch(() => undefined); // the page need not wait for it
    }
  };

  /**
   * The page's messages in page order. The session's own file is always opened (a transcript
   * that is gone answers 410 even for an empty page); a subagent file that is gone since the last
   * scan only leaves its lines out.
   */
  const readPage = async (id: string, files: readonly PageFile[], page: Page): Promise<TranscriptMessage[]> => {
    const read = new Map<IndexedLine, TranscriptMessage>();
    for (const [index, file] of files.entries()) {
      const rows = page.lines.flatMap((line) => (line.file === index ? [line.row] : []));
      if (rows.length === 0 && index > 0) continue;
      const messages = await readFileLines(id, file, rows).catch((error: unknown) => {
        if (index > 0 && error instanceof AppError) return new Map<IndexedLine, TranscriptMessage>();
        throw error;
      });
      for (const [row, message] of messages) read.set(row, message);
    }
    return page.lines.flatMap((line) => read.get(line.row) ?? []);
  };

  /** Main thread, newest page first: the cursor is a line number of the session's file. */
  const mainPage = async (file: FileRow, query: { limit: number; before?: number | undefined }): Promise<Page> => {
    const { rows, main } = await threads.lines(file);
    const end = query.before === undefined ? main.length : lowerBound(main, rows, query.before);
    const start = Math.max(0, end - query.limit);
    const lines = main.slice(start, end).map((index) => ({ file: 0, row: rows[index] as IndexedLine }));
    return { lines, hasMore: start > 0, nextBefore: start > 0 ? (rows[main[start] as number] as IndexedLine).lineNo : null };
  };

  /** Every line of the session's files, newest page first: the cursor is a position in their merged order. */
  const allPage = async (files: readonly FileRow[], query: { limit: number; before?: number | undefined }): Promise<Page> => {
    const { refs, rows } = await threads.allLines(files);
    const end = query.before === undefined ? refs.length : Math.min(query.before, refs.length);
    const start = Math.max(0, end - query.limit);
    const lines = refs.slice(start, end).map((ref) => ({ file: ref.file, row: (rows[ref.file] as readonly IndexedLine[])[ref.row] as IndexedLine }));
    return { lines, hasMore: start > 0, nextBefore: start > 0 ? start : null };
  };

  return {
    scan: scanner.scan,
    listProjects: () => queries.listProjects(deps.db),
    listSessions: (query) => queries.listSessions(deps.db, query),
    getSession: async (id) => {
      const { file, ...meta } = await sessionRow(id);
      // Checked like a messages read, so the detail never vouches for a file that cannot be read.
      await (await openTranscript(deps.claudeConfigDir, file.path, id)).close();
      const agents = await queries.listAgentFiles(deps.db, id);
      return { ...meta, subagents: agents.map(({ agentId, toolUseId, messageCount }) => ({ agentId, toolUseId, messageCount })) };
    },
    getMessages: async (id, query) => {
      const { file } = await sessionRow(id);
      const files: PageFile[] = [{ ...file, agentId: null }];
      if (query.thread === "all") files.push(...(await queries.listAgentFiles(deps.db, id)));
      const page = query.thread === "main" ? await mainPage(file, query) : await allPage(files, query);
      return { messages: await readPage(id, files, page), hasMore: page.hasMore, nextBefore: page.nextBefore };
    },
  };
};
