import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { openRegularFile } from "../infra/regularFile.ts";

/**
 * The repositories a phone may open: the folders of GITHUB_REPOS_DIRECTORY (hidden ones, files
 * and symbolic links left out: a link could lead outside it), each with whether it is a git
 * repository and which branch it is on.
 */
export interface Repository {
  readonly name: string;
  readonly path: string;
  readonly isGit: boolean;
  /** The checked-out branch; null when it is not a git repository or its HEAD is detached. */
  readonly branch: string | null;
  readonly lastModified: string;
}

/** The folder names, sorted; none when the folder cannot be read. */
export const listRepositories = async (reposDirectory: string): Promise<string[]> => {
  try {
    const entries = await readdir(reposDirectory, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map((entry) => entry.name).sort();
  } catch {
    return [];
  }
};

const HEAD_MAX_BYTES = 4096;

/** A small text file read without following links or blocking on a FIFO; null when it is anything else. */
const readSmall = async (path: string): Promise<string | null> => {
  try {
    const handle = await openRegularFile(path);
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_MAX_BYTES), 0, HEAD_MAX_BYTES, 0);
      return buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
};

/** `.git` is a folder, or (a worktree, a submodule) a file naming the git folder. */
const gitFolderOf = async (repository: string): Promise<string | null> => {
  const dotGit = join(repository, ".git");
  const stats = await stat(dotGit).catch(() => null);
  if (stats === null) return null;
  if (stats.isDirectory()) return dotGit;
  const pointer = /^gitdir: (.+)$/m.exec((await readSmall(dotGit)) ?? "")?.[1]?.trim();
  if (pointer === undefined) return null;
  return isAbsolute(pointer) ? pointer : resolve(repository, pointer);
};

const branchOf = async (gitFolder: string): Promise<string | null> =>
  /^ref: refs\/heads\/(.+)$/m.exec((await readSmall(join(gitFolder, "HEAD"))) ?? "")?.[1]?.trim() ?? null;

export const describeRepository = async (reposDirectory: string, name: string): Promise<Repository | null> => {
  const path = join(reposDirectory, name);
  const stats = await stat(path).catch(() => null);
  if (stats === null || !stats.isDirectory()) return null;
  const gitFolder = await gitFolderOf(path);
  return { name, path, isGit: gitFolder !== null, branch: gitFolder === null ? null : await branchOf(gitFolder), lastModified: stats.mtime.toISOString() };
};

/** A page of the repositories, by name. */
export const pageRepositories = async (reposDirectory: string, page: { limit: number; offset: number }) => {
  const names = await listRepositories(reposDirectory);
  const described = await Promise.all(names.slice(page.offset, page.offset + page.limit).map((name) => describeRepository(reposDirectory, name)));
  return { repositories: described.filter((repository): repository is Repository => repository !== null), total: names.length };
};
