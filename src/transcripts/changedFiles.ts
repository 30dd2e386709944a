import { realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { agentIdOf, isBadName, isInside, projectsRoot, readMetaToolUseId, type OnSkip, type TranscriptFileRef } from "./paths.ts";

/**
 * The transcript files that watch events named (paths relative to `<configDir>/projects`),
 * resolved and classified as the full listing would: `<project>/<id>.jsonl`,
 * `<project>/agent-<id>.jsonl` (2.0) and `<project>/<session>/subagents/**\/agent-<id>.jsonl`
 * (2.1; a change to an agent's `.meta.json` names its transcript). Any other path names no
 * transcript. `candidates` holds the real path of every transcript named, present or gone, so
 * the index can forget the gone ones.
 */
export type ChangedFiles = { readonly refs: TranscriptFileRef[]; readonly candidates: string[] };

type Shape = { readonly rel: string; readonly projectDir: string; readonly agentId: string | undefined; readonly nested: boolean };

/** Subagent transcripts nest at most four folders below `subagents/`, as the listing reads them. */
const MAX_PARTS = 8;

const shapeOf = (path: string): Shape | undefined => {
  const parts = path.split(sep);
  if (parts.some(isBadName)) return undefined;
  const last = (parts.at(-1) as string).replace(/^(agent-.+)\.meta\.json$/, "$1.jsonl");
  const projectDir = parts[0] as string;
  const agentId = agentIdOf(last);
  const rel = [...parts.slice(0, -1), last].join(sep);
  if (parts.length === 2 && last.endsWith(".jsonl")) return { rel, projectDir, agentId, nested: false };
  const nested = parts.length >= 4 && parts.length <= MAX_PARTS && parts[2] === "subagents" && agentId !== undefined;
  return nested ? { rel, projectDir, agentId, nested } : undefined;
};

/** The file's real path inside the projects folder, "gone", or undefined when it is none of ours. */
const resolve = async (root: string, rel: string, onSkip: OnSkip): Promise<string | "gone" | undefined> => {
  const path = join(root, rel);
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return "gone";
  }
  if (isInside(root, real)) return real; // what it is (file, FIFO, folder) the scanner's stat says
  onSkip(path, "symlink_escape");
  return undefined;
};

export const transcriptFilesAt = async (claudeConfigDir: string, paths: readonly string[], onSkip: OnSkip): Promise<ChangedFiles> => {
  const root = await projectsRoot(claudeConfigDir);
  const refs: TranscriptFileRef[] = [];
  const candidates: string[] = [];
  if (root === undefined) return { refs, candidates };
  const shapes = new Map<string, Shape>();
  for (const path of paths) {
    const shape = shapeOf(path);
    if (shape !== undefined) shapes.set(shape.rel, shape);
  }
  for (const shape of shapes.values()) {
    const real = await resolve(root, shape.rel, onSkip);
    if (real === undefined) continue;
    candidates.push(real === "gone" ? join(root, shape.rel) : real);
    if (real === "gone") continue;
    const ref: TranscriptFileRef = shape.agentId === undefined
      ? { path: real, projectDir: shape.projectDir, kind: "main" }
      : { path: real, projectDir: shape.projectDir, kind: "agent", agentId: shape.agentId };
    const toolUseId = shape.nested ? await readMetaToolUseId(real) : undefined;
    refs.push(toolUseId === undefined ? ref : { ...ref, toolUseId });
  }
  return { refs, candidates };
};
