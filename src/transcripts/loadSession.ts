import { basename, dirname, sep } from "node:path";
import { analyseSession, type SessionAnalysis } from "./analyseSession.ts";
import { getSessionRow, listAgentFiles } from "./transcriptQueries.ts";
import { isMessageLine } from "./decodeLine.ts";
import { parseTranscriptFile, type ParsedFile } from "./parseFile.ts";
import { containedPath, isSafeSessionId, listTranscriptFiles, type TranscriptFileRef } from "./paths.ts";
import { isWarmupRoot } from "./subagents.ts";
import type { TranscriptDb } from "./transcriptDb.ts";
import { NotRegularFileError } from "../infra/regularFile.ts";

/**
 * Finds and fully parses one session's files (main transcript and subagent transcripts) for
 * diagnostics. The index is asked first; without it (never scanned) the folder is searched:
 * `<id>.jsonl`, `<id>/subagents/agent-*.jsonl`, and 2.0's project-level `agent-*.jsonl` whose
 * lines carry the session id.
 */
type Located = { main: string; agents: Array<{ path: string; agentId?: string; toolUseId?: string }> };

const fromIndex = async (db: TranscriptDb, id: string): Promise<Located | undefined> => {
  const row = await getSessionRow(db, id);
  if (row === undefined) return undefined;
  const agents = await listAgentFiles(db, id);
  return {
    main: row.file.path,
    agents: agents.map((a) => ({ path: a.path, ...(a.agentId === null ? {} : { agentId: a.agentId }), ...(a.toolUseId === null ? {} : { toolUseId: a.toolUseId }) })),
  };
};

/**
 * An agent file, parsed; undefined when it is not a regular file (the scanner skips it too) or a
 * CLI 2.0 "Warmup" agent (never a subagent; the index leaves those out the same way).
 */
const parseAgentFile = async (path: string): Promise<ParsedFile | undefined> => {
  let parsed: ParsedFile;
  try {
    parsed = await parseTranscriptFile(path);
  } catch (error) {
    if (error instanceof NotRegularFileError) return undefined;
    throw error;
  }
  const first = parsed.lines.find(({ line }) => isMessageLine(line))?.line;
  return first !== undefined && isMessageLine(first) && isWarmupRoot(first) ? undefined : parsed;
};

const belongsTo = async (ref: TranscriptFileRef, id: string, mainDir: string): Promise<boolean> => {
  if (ref.path.includes(`${sep}${id}${sep}subagents${sep}`)) return true;
  if (dirname(ref.path) !== mainDir) return false;
  const parsed = await parseAgentFile(ref.path);
  return parsed?.lines.some(({ line }) => "env" in line && line.env.sessionId === id) ?? false;
};

const fromFolder = async (claudeConfigDir: string, id: string): Promise<Located | undefined> => {
  const refs = await listTranscriptFiles(claudeConfigDir);
  const main = refs.find((ref) => ref.kind === "main" && basename(ref.path) === `${id}.jsonl`);
  if (main === undefined) return undefined;
  const agents: Located["agents"] = [];
  for (const ref of refs) {
    if (ref.kind !== "agent" || !(await belongsTo(ref, id, dirname(main.path)))) continue;
    agents.push({ path: ref.path, ...(ref.agentId === undefined ? {} : { agentId: ref.agentId }), ...(ref.toolUseId === undefined ? {} : { toolUseId: ref.toolUseId }) });
  }
  return { main: main.path, agents };
};

export const loadSession = async (
  deps: { db?: TranscriptDb | undefined; claudeConfigDir: string },
  id: string,
): Promise<SessionAnalysis | undefined> => {
  if (!isSafeSessionId(id)) return undefined;
  const located = (deps.db === undefined ? undefined : await fromIndex(deps.db, id)) ?? (await fromFolder(deps.claudeConfigDir, id));
  const mainPath = located === undefined ? undefined : await containedPath(deps.claudeConfigDir, located.main);
  if (located === undefined || mainPath === undefined) return undefined;
  const main: ParsedFile = await parseTranscriptFile(mainPath);
  const agents = [];
  for (const agent of located.agents) {
    // Re-checked at read time: the index may be older than a symlink swapped in since.
    const path = await containedPath(deps.claudeConfigDir, agent.path);
    const file = path === undefined ? undefined : await parseAgentFile(path);
    if (file !== undefined) agents.push({ ...agent, file });
  }
  return analyseSession({ main, agents });
};
