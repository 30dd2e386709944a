import { realpath, stat } from "node:fs/promises";
import { sep } from "node:path";

/**
 * The folder a job runs in, checked again right before the CLI starts: the API confined it
 * to the repositories folder when the prompt arrived, but the disk may have changed since (a
 * folder swapped for a symlink that points out), and the log may hold paths that never went
 * through the API. Gives the physical path to start the CLI in, or why it may not start.
 */
export type ProjectFolder =
  | { readonly cwd: string }
  | { readonly reason: "project_path_missing" | "project_path_forbidden"; readonly message: string };

const isInside = (root: string, path: string) => (root === sep ? path !== sep : path.startsWith(root + sep));

export const checkProjectFolder = async (projectPath: string, reposDirectory: string): Promise<ProjectFolder> => {
  const missing = { reason: "project_path_missing", message: `project folder ${projectPath} does not exist` } as const;
  const real = await realpath(projectPath).catch(() => null);
  if (real === null) return missing;
  const root = await realpath(reposDirectory).catch(() => null);
  if (root === null || !isInside(root, real)) {
    return { reason: "project_path_forbidden", message: `project folder ${projectPath} is not inside the repositories folder (GITHUB_REPOS_DIRECTORY)` };
  }
  const folder = await stat(real).catch(() => null);
  return folder?.isDirectory() === true ? { cwd: real } : missing;
};
