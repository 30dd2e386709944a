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

/** A path's real path; undefined when it is gone. */
const realOf = (path: string): Promise<string | undefined> => realpath(path).catch(() => undefined);

export const transcriptFilesAt = async (claudeConfigDir: string, paths: readonly string[], onSkip: OnSkip): Promise<ChangedFiles> => {
  const shapes = new Map<string, Shape>();
  for (const path of paths) {
    const shape = shapeOf(path);
    if (shape !== undefined) shapes.set(shape.rel, shape);
  }
  const folder = join(claudeConfigDir, "projects");
  // The folder's real path and the files' are looked up together: this is an append's hot path.
  const [root, ...reals] = await Promise.all([projectsRoot(claudeConfigDir), ...[...shapes.keys()].map((rel) => realOf(join(folder, rel)))]);
  const refs: TranscriptFileRef[] = [];
  const candidates: string[] = [];
  if (root === undefined) return { refs, candidates };
  for (const [i, shape] of [...shapes.values()].entries()) {
    const real = reals[i];
    if (real === undefined) candidates.push(join(root, shape.rel));
    else if (!isInside(root, real)) onSkip(join(folder, shape.rel), "symlink_escape");
    else {
      // What it is (file, FIFO, folder) the scanner's stat says.
      candidates.push(real);
      refs.push(await refOf(shape, real));
    }
  }
  return { refs, candidates };
};

const refOf = async (shape: Shape, real: string): Promise<TranscriptFileRef> => {
  const ref: TranscriptFileRef = shape.agentId === undefined
    ? { path: real, projectDir: shape.projectDir, kind: "main" }
    : { path: real, projectDir: shape.projectDir, kind: "agent", agentId: shape.agentId };
  const toolUseId = shape.nested ? await readMetaToolUseId(real) : undefined;
  return toolUseId === undefined ? ref : { ...ref, toolUseId };
};
