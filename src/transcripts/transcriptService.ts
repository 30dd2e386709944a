import type { FileHandle } from "node:fs/promises";
import type { Logger } from "pino";
import { isObject } from "../claude/jsonGuards.ts";
import { AppError } from "../errors.ts";
import { decodeTranscriptLine } from "./decodeLine.ts";
import * as queries from "./transcriptQueries.ts";
import type { GraphRow, IndexedLine, ProjectMeta, SessionMeta } from "./transcriptQueries.ts";
import { readRange } from "./lineReader.ts";
import { isSafeSessionId, NotRegularFileError, openContained } from "./paths.ts";
import { createTranscriptScanner, type TranscriptScanner } from "./scanner.ts";
import type { ThreadNode } from "./threadNode.ts";
import { buildGraph, mainThread } from "./threads.ts";
import type { TranscriptDb } from "./transcriptDb.ts";

/** What the history routes and the CLI need; reads come from the index, bodies from disk. */
export type TranscriptMessage = {
  readonly lineNo: number;
  readonly uuid: string | null;
  readonly parentUuid: string | null;
  readonly type: string;
  readonly timestamp: string | null;
  readonly isSidechain: boolean;
  readonly truncated: boolean;
  readonly bytes: number;
  /** The line as Claude Code wrote it; null when it was over the size limit or unreadable. */
  readonly line: Record<string, unknown> | null;
};

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

const toNode = (line: GraphRow): ThreadNode => {
  const node: Record<string, unknown> = {
    uuid: line.uuid ?? `line:${line.lineNo}`,
    parentUuid: line.parentUuid,
    type: line.kind === "compact_boundary" ? "system" : line.kind,
    order: line.lineNo,
    flags: line.flags,
  };
  if (line.logicalParentUuid !== null) node["logicalParentUuid"] = line.logicalParentUuid;
  if (line.agentId !== null) node["agentId"] = line.agentId;
  if (line.messageId !== null) node["messageId"] = line.messageId;
  if (line.parentToolUseId !== null) node["parentToolUseId"] = line.parentToolUseId;
  return node as ThreadNode;
};

const decodeBody = (bytes: Buffer): Record<string, unknown> | null => {
  const decoded = decodeTranscriptLine(bytes);
  return "raw" in decoded && isObject(decoded.raw) ? decoded.raw : null;
};

const readMessages = async (claudeConfigDir: string, path: string, id: string, lines: readonly IndexedLine[]): Promise<TranscriptMessage[]> => {
  const handle = await openTranscript(claudeConfigDir, path, id);
  try {
    const messages: TranscriptMessage[] = [];
    for (const row of lines) {
      const truncated = row.kind === "truncated";
      const body = truncated ? null : decodeBody(await readRange(handle, row.offset, row.length));
      messages.push({
        lineNo: row.lineNo, uuid: row.uuid, parentUuid: row.parentUuid,
        type: truncated ? "truncated" : row.kind, timestamp: row.ts, isSidechain: (row.flags & 1) !== 0,
        truncated, bytes: row.length, line: body,
      });
    }
    return messages;
  } finally {
    await handle.close();
  }
};

/** Line numbers of the main thread's last `limit` lines before `before`. */
const mainPage = (all: readonly GraphRow[], before: number | undefined, limit: number): number[] => {
  const thread = mainThread(buildGraph(all.map(toNode)))
    .map((node) => node.order)
    .filter((lineNo) => before === undefined || lineNo < before);
  return thread.slice(Math.max(0, thread.length - limit));
};

export const createTranscriptService = (deps: { db: TranscriptDb; claudeConfigDir: string; logger: Logger }): TranscriptService => {
  const scanner = createTranscriptScanner(deps);
  const sessionRow = async (id: string) => {
    if (!isSafeSessionId(id)) throw transcriptErrors.badId();
    const row = await queries.getSessionRow(deps.db, id);
    if (row === undefined) throw transcriptErrors.notFound(id);
    return row;
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
      const row = await sessionRow(id);
      // One extra row tells whether an older page exists.
      const rows =
        query.thread === "all"
          ? await queries.loadLines(deps.db, row.file.id, { before: query.before, limit: query.limit + 1 })
          : await queries.loadLinesByNumber(deps.db, row.file.id, mainPage(await queries.loadGraphRows(deps.db, row.file.id), query.before, query.limit + 1));
      const hasMore = rows.length > query.limit;
      const page = hasMore ? rows.slice(1) : rows;
      const messages = await readMessages(deps.claudeConfigDir, row.file.path, id, page);
      return { messages, hasMore, nextBefore: hasMore ? (page[0]?.lineNo ?? null) : null };
    },
  };
};
