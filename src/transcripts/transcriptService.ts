import type { FileHandle } from "node:fs/promises";
import type { Logger } from "pino";
import { AppError } from "../errors.ts";
import { isSafeSessionId, NotRegularFileError, openContained } from "./paths.ts";
import { createTranscriptScanner, type TranscriptScanner } from "./scanner.ts";
import { readSpans } from "./spanReader.ts";
import { createThreadCache, type LineRef } from "./threadCache.ts";
import * as queries from "./transcriptQueries.ts";
import type { FileRow, ProjectMeta, SessionMeta } from "./transcriptQueries.ts";
import { toTranscriptMessage, type TranscriptMessage } from "./transcriptMessage.ts";
import type { TranscriptDb } from "./transcriptDb.ts";

/** What the history routes and the CLI need; reads come from the index, bodies from disk. */
export type MessagePage = { readonly messages: TranscriptMessage[]; readonly hasMore: boolean; readonly nextBefore: number | null };
export type SessionDetail = SessionMeta & {
  readonly subagents: Array<{ agentId: string | null; toolUseId: string | null; messageCount: number }>;
};

export type TranscriptService = {
  readonly scan: TranscriptScanner["scan"];
  listProjects(): Promise<ProjectMeta[]>;
  listSessions(query: { projectPath?: string | undefined; limit: number; offset: number }): Promise<{ sessions: SessionMeta[]; total: number }>;
  getSession(claudeSessionId: string): Promise<SessionDetail>;
  getMessages(claudeSessionId: string, query: { limit: number; before?: number | undefined; thread: "main" | "all" }): Promise<MessagePage>;
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
type Page = { readonly refs: readonly LineRef[]; readonly hasMore: boolean; readonly nextBefore: number | null };

/** Index of the first line number at or after `lineNo` in an ascending list. */
const lowerBound = (lineNos: readonly number[], lineNo: number): number => {
  let low = 0;
  let high = lineNos.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((lineNos[mid] as number) < lineNo) low = mid + 1;
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

  /** One file's lines of a page by line number: one open, one read per span of neighbouring lines. */
  const readFileLines = async (id: string, file: PageFile, lineNos: readonly number[]): Promise<Map<number, TranscriptMessage>> => {
    const handle = await openTranscript(deps.claudeConfigDir, file.path, id);
    try {
      const rows = await queries.loadLinesByNumber(deps.db, file.id, lineNos);
      const bodies = await readSpans(handle, rows);
      return new Map(rows.map((row) => [row.lineNo, toTranscriptMessage(row, bodies.get(row.lineNo), file.agentId)]));
    } finally {
      await handle.close();
    }
  };

  /**
   * The page's messages in page order. The session's own file is always opened (a transcript
   * that is gone answers 410 even for an empty page); a subagent file that is gone since the last
   * scan only leaves its lines out.
   */
  const readPage = async (id: string, files: readonly PageFile[], refs: readonly LineRef[]): Promise<TranscriptMessage[]> => {
    const byFile = new Map<number, Map<number, TranscriptMessage>>();
    for (const [index, file] of files.entries()) {
      const lineNos = refs.flatMap((ref) => (ref.file === index ? [ref.lineNo] : []));
      if (lineNos.length === 0 && index > 0) continue;
      const read = readFileLines(id, file, lineNos);
      byFile.set(index, index === 0 ? await read : await read.catch((error: unknown) => {
        if (error instanceof AppError) return new Map<number, TranscriptMessage>();
        throw error;
      }));
    }
    return refs.flatMap((ref) => {
      const message = byFile.get(ref.file)?.get(ref.lineNo);
      return message === undefined ? [] : [message];
    });
  };

  /** Main thread, newest page first: the cursor is a line number of the session's file. */
  const mainPage = async (file: FileRow, query: { limit: number; before?: number | undefined }): Promise<Page> => {
    const thread = await threads.mainThread(file);
    const end = query.before === undefined ? thread.length : lowerBound(thread, query.before);
    const start = Math.max(0, end - query.limit);
    const refs = thread.slice(start, end).map((lineNo) => ({ file: 0, lineNo }));
    return { refs, hasMore: start > 0, nextBefore: start > 0 ? (thread[start] as number) : null };
  };

  /** Every line of the session's files, newest page first: the cursor is a position in their merged order. */
  const allPage = async (files: readonly FileRow[], query: { limit: number; before?: number | undefined }): Promise<Page> => {
    const all = await threads.allLines(files);
    const end = query.before === undefined ? all.length : Math.min(query.before, all.length);
    const start = Math.max(0, end - query.limit);
    return { refs: all.slice(start, end), hasMore: start > 0, nextBefore: start > 0 ? start : null };
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
      return { messages: await readPage(id, files, page.refs), hasMore: page.hasMore, nextBefore: page.nextBefore };
    },
  };
};
