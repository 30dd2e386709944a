import { closeSync, constants, fstat, open } from "node:fs";
import { readlink, realpath } from "node:fs/promises";
import { sep } from "node:path";

/**
 * The folder a job runs in, checked again right before the CLI starts: the API confined it
 * to the repositories folder when the prompt arrived, but the disk may have changed since (a
 * folder swapped for a symlink that points out), and the log may hold paths that never went
 * through the API.
 *
 * Checking a path and then starting a process in that path resolves it twice, and a swap in
 * between sends the CLI outside. So the folder is opened once (the descriptor pins the
 * directory itself, wherever its path points later), the check is made on what was opened,
 * and the CLI starts in `/proc/<pid>/fd/<fd>`: a link the kernel follows to the open
 * directory, never back through the session's path.
 */
export type CheckedFolder = {
  /** Where the folder was when checked: for logs and the simulator, never to start a process in. */
  readonly realPath: string;
  /** Names the opened directory itself while it is open: the CLI's working folder. */
  readonly cwd: string;
};

/** Close once the CLI has been spawned: Node's spawn returns after the child's chdir and exec. */
export type OpenFolder = CheckedFolder & { readonly close: () => void };

export type ProjectFolder =
  | { readonly folder: OpenFolder }
  | { readonly reason: "project_path_missing" | "project_path_forbidden"; readonly message: string };

/**
 * Only Linux has the descriptor links; elsewhere the CLI starts in the checked real path, and a
 * swap of a folder on that path between the check and the start is not caught (README).
 */
export const pinsFolders = process.platform === "linux";

const isInside = (root: string, path: string) => (root === sep ? path !== sep : path.startsWith(root + sep));

// O_DIRECTORY: open itself refuses anything but a folder (and does not block on a FIFO).
const openDirectory = (path: string) =>
  new Promise<number | null>((resolve) => open(path, constants.O_RDONLY | constants.O_DIRECTORY, (error, fd) => resolve(error ? null : fd)));

const linkCount = (fd: number) =>
  new Promise<number>((resolve, reject) => fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats.nlink))));

/** The real path of what `fd` holds now; null when it was removed meanwhile. */
const realPathOf = async (fd: number, projectPath: string): Promise<string | null> => {
  // A removed folder has no links left (its /proc link reads "<path> (deleted)").
  if ((await linkCount(fd)) === 0) return null;
  return pinsFolders ? readlink(`/proc/self/fd/${fd}`) : realpath(projectPath).catch(() => null);
};

type Refusal = Extract<ProjectFolder, { reason: string }>;

const missing = (projectPath: string): Refusal => ({ reason: "project_path_missing", message: `project folder ${projectPath} does not exist or is not a folder` });
const forbidden = (projectPath: string): Refusal => ({
  reason: "project_path_forbidden",
  message: `project folder ${projectPath} is not inside the repositories folder (GITHUB_REPOS_DIRECTORY)`,
});

const check = async (fd: number, projectPath: string, reposDirectory: string): Promise<CheckedFolder | Refusal> => {
  const [real, root] = await Promise.all([realPathOf(fd, projectPath), realpath(reposDirectory).catch(() => null)]);
  if (real === null) return missing(projectPath);
  if (root === null || !isInside(root, real)) return forbidden(projectPath);
  return { realPath: real, cwd: pinsFolders ? `/proc/${process.pid}/fd/${fd}` : real };
};

/** Opens the project folder and checks what was opened; the caller closes the OpenFolder. */
export const openProjectFolder = async (projectPath: string, reposDirectory: string): Promise<ProjectFolder> => {
  const fd = await openDirectory(projectPath);
  if (fd === null) return missing(projectPath);
  let held = true;
  // Once only: a second close could hit the same number reused by another file.
  const release = () => {
    if (held) closeSync(fd);
    held = false;
  };
  const checked = await check(fd, projectPath, reposDirectory).catch((error: unknown) => {
    release();
    throw error;
  });
  if ("reason" in checked) {
    release();
    return checked;
  }
  return { folder: { ...checked, close: release } };
};
