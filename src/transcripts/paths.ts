import type { Dirent } from "node:fs";
import { readdir, realpath, type FileHandle } from "node:fs/promises";
import { join, sep } from "node:path";
import { NotRegularFileError, openRegularFile } from "../infra/regularFile.ts";

/**
 * Safe enumeration of Claude Code transcripts under the config folder (formats §3). Every file is
 * resolved with realpath and must stay inside `<configDir>/projects`; a symlink that leaves it is
 * skipped. Names are never decoded into paths: the folder name of a project is not reversible,
 * the session's real cwd comes from its lines.
 */
export type TranscriptFileRef = {
  /** Real path of the file. */
  readonly path: string;
  /** Name of the project folder (encoded cwd), kept only for grouping files. */
  readonly projectDir: string;
  readonly kind: "main" | "agent";
  readonly agentId?: string;
  /** 2.1.x `agent-<id>.meta.json` `toolUseId`. */
  readonly toolUseId?: string;
};

export type SkipReason = "symlink_escape" | "bad_name" | "unreadable" | "not_regular";
export type OnSkip = (path: string, reason: SkipReason) => void;

const MAX_NAME = 255;
const AGENT_FILE = /^agent-(.+)\.jsonl$/;

/** The agent id in an `agent-<id>.jsonl` name; undefined for any other name. */
export const agentIdOf = (name: string): string | undefined => AGENT_FILE.exec(name)?.[1];
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Claude session ids are UUIDs; we accept any short id of that alphabet and nothing else. */
export const isSafeSessionId = (id: string): boolean => SAFE_ID.test(id);

export const isInside = (base: string, path: string): boolean => path === base || path.startsWith(base + sep);

export const isBadName = (name: string): boolean =>
  name.length === 0 || name.length > MAX_NAME || name.includes("\0") || name === "." || name === "..";

/** The real `<configDir>/projects` folder, or undefined when it does not exist. */
export const projectsRoot = async (claudeConfigDir: string): Promise<string | undefined> => {
  try {
    return await realpath(join(claudeConfigDir, "projects"));
  } catch {
    return undefined;
  }
};

/** Resolves an entry; undefined when it escapes `base` or cannot be resolved. */
const resolveEntry = async (base: string, dir: string, entry: Dirent, onSkip: OnSkip): Promise<string | undefined> => {
  const path = join(dir, entry.name);
  if (isBadName(entry.name)) {
    onSkip(path, "bad_name");
    return undefined;
  }
  // `dir` is already real: only a symlink needs resolving (saves a syscall per file).
  if (!entry.isSymbolicLink()) return path;
  try {
    const real = await realpath(path);
    if (isInside(base, real)) return real;
    onSkip(path, "symlink_escape");
  } catch {
    onSkip(path, "unreadable");
  }
  return undefined;
};

/** A folder's real path when it exists and stays inside `base` (listings rely on real dirs). */
const realDirInside = async (base: string, path: string, onSkip: OnSkip): Promise<string | undefined> => {
  try {
    const real = await realpath(path);
    if (isInside(base, real)) return real;
    onSkip(path, "symlink_escape");
  } catch {
    // no such folder: nothing to list
  }
  return undefined;
};

const list = async (dir: string): Promise<Dirent[]> => {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
};

const isDirLike = (entry: Dirent): boolean => entry.isDirectory() || entry.isSymbolicLink();
const isFileLike = (entry: Dirent): boolean => entry.isFile() || entry.isSymbolicLink();

export const readMetaToolUseId = async (jsonlPath: string): Promise<string | undefined> => {
  try {
    // The folder is real and inside; O_NOFOLLOW keeps a symlinked meta file from leaving it.
    const handle = await openRegularFile(jsonlPath.replace(/\.jsonl$/, ".meta.json"));
    const text = await handle.readFile("utf8").finally(() => handle.close());
    const meta: unknown = JSON.parse(text);
    const id = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>)["toolUseId"] : undefined;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
};

/** A `*.jsonl` entry that is neither a file, a folder nor a symlink: a FIFO, socket or device. */
const isSpecialTranscript = (entry: Dirent): boolean =>
  entry.name.endsWith(".jsonl") && !entry.isFile() && !entry.isDirectory() && !entry.isSymbolicLink();

/** 2.1.x subagent transcripts: `<sessionId>/subagents/**\/agent-<id>.jsonl` (workflows nest). */
const listSubagents = async (base: string, dir: string, projectDir: string, onSkip: OnSkip, depth: number): Promise<TranscriptFileRef[]> => {
  const found: TranscriptFileRef[] = [];
  for (const entry of await list(dir)) {
    const real = await resolveEntry(base, dir, entry, onSkip);
    if (real === undefined) continue;
    const agentId = agentIdOf(entry.name);
    if (isSpecialTranscript(entry)) onSkip(real, "not_regular");
    else if (agentId !== undefined && isFileLike(entry)) {
      const toolUseId = await readMetaToolUseId(real);
      const ref = { path: real, projectDir, kind: "agent" as const, agentId };
      found.push(toolUseId === undefined ? ref : { ...ref, toolUseId });
    } else if (isDirLike(entry) && depth < 4) {
      found.push(...(await listSubagents(base, real, projectDir, onSkip, depth + 1)));
    }
  }
  return found;
};

const listProject = async (base: string, dir: string, projectDir: string, onSkip: OnSkip): Promise<TranscriptFileRef[]> => {
  const found: TranscriptFileRef[] = [];
  for (const entry of await list(dir)) {
    const real = await resolveEntry(base, dir, entry, onSkip);
    if (real === undefined) continue;
    if (isDirLike(entry)) {
      const subagents = await realDirInside(base, join(real, "subagents"), onSkip);
      if (subagents !== undefined) found.push(...(await listSubagents(base, subagents, projectDir, onSkip, 0)));
      continue;
    }
    if (isSpecialTranscript(entry)) onSkip(real, "not_regular");
    if (!isFileLike(entry) || !entry.name.endsWith(".jsonl")) continue;
    const agentId = agentIdOf(entry.name);
    found.push(agentId === undefined ? { path: real, projectDir, kind: "main" } : { path: real, projectDir, kind: "agent", agentId });
  }
  return found;
};

/** Every transcript file under `<configDir>/projects`, in a stable order. */
export const listTranscriptFiles = async (claudeConfigDir: string, onSkip: OnSkip = () => {}): Promise<TranscriptFileRef[]> => {
  const base = await projectsRoot(claudeConfigDir);
  if (base === undefined) return [];
  const found: TranscriptFileRef[] = [];
  for (const entry of await list(base)) {
    const real = await resolveEntry(base, base, entry, onSkip);
    if (real !== undefined && isDirLike(entry)) found.push(...(await listProject(base, real, entry.name, onSkip)));
  }
  const seen = new Set<string>();
  return found.filter((ref) => !seen.has(ref.path) && seen.add(ref.path)).sort((a, b) => a.path.localeCompare(b.path));
};

/** The real path of `path` when it is inside `<configDir>/projects`, else undefined. */
export const containedPath = async (claudeConfigDir: string, path: string): Promise<string | undefined> => {
  if (path.includes("\0")) return undefined;
  // Both looked up at once: every page read starts here.
  const [base, real] = await Promise.all([projectsRoot(claudeConfigDir), realpath(path).catch(() => undefined)]);
  return base !== undefined && real !== undefined && isInside(base, real) ? real : undefined;
};

/**
 * Opens a file the index points at, re-checking containment at open time: a file replaced by a
 * symlink after indexing is refused, and O_NOFOLLOW refuses a last-moment swap. Undefined when
 * the file is gone or outside; NotRegularFileError when it is no longer a regular file.
 */
export const openContained = async (claudeConfigDir: string, path: string): Promise<FileHandle | undefined> => {
  const real = await containedPath(claudeConfigDir, path);
  if (real === undefined) return undefined;
  try {
    return await openRegularFile(real);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw error;
    return undefined;
  }
};
