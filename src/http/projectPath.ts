import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join, resolve, sep } from "node:path";
import { posix } from "node:path";
import { AppError } from "../errors.ts";

export interface ProjectPathInput {
  readonly projectPath?: string | undefined;
  readonly folderName?: string | undefined;
}

const hasDotDot = (text: string) => text.split(/[\\/]/).includes("..");

const resolveReal = async (path: string, shown: string): Promise<string> => {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") throw AppError.of("forbidden_path", `${shown} cannot be read`);
    if (code === "ELOOP") throw AppError.of("invalid_path", `${shown} is a symlink loop`);
    throw AppError.of("path_not_found", `${shown} does not exist`);
  }
};

/** Checks the text before touching the disk: what can be refused on sight is refused. */
const candidateOf = (root: string, input: ProjectPathInput): { path: string; shown: string } => {
  const text = input.projectPath ?? input.folderName ?? "";
  const shown = input.projectPath !== undefined ? "projectPath" : "folderName";
  if (text.includes("\0")) throw AppError.of("invalid_path", `${shown} contains a NUL byte`);
  if (text.trim() === "") throw AppError.of("invalid_path", `${shown} is empty`);
  if (hasDotDot(text)) throw AppError.of("forbidden_path", `${shown} may not contain '..' segments`);
  if (input.projectPath !== undefined) {
    if (!isAbsolute(text)) throw AppError.of("invalid_path", "projectPath must be absolute; use folderName for a folder in the repositories folder");
    return { path: resolve(text), shown };
  }
  if (isAbsolute(text)) throw AppError.of("invalid_path", "folderName is a name inside the repositories folder, not an absolute path");
  return { path: join(root, text), shown };
};

/**
 * Resolves a project folder and confines it to the repositories folder: `folderName` is
 * taken inside it, `projectPath` must be absolute; both are `realpath`ed (so a symlink that
 * points out is caught) and must name an existing folder strictly inside the root. Returns
 * the physical path, which is what Claude Code itself records.
 */
export const confineProjectPath = async (reposDirectory: string, input: ProjectPathInput): Promise<string> => {
  const root = await realpath(reposDirectory).catch(() => {
    throw AppError.of("path_not_found", "the repositories folder (GITHUB_REPOS_DIRECTORY) does not exist");
  });
  const candidate = candidateOf(root, input);
  const real = await resolveReal(candidate.path, candidate.shown);
  const inside = root === sep ? real !== sep : real.startsWith(root + sep);
  if (!inside) {
    throw AppError.of("forbidden_path", `${candidate.shown} must be a folder inside the repositories folder`);
  }
  if (!(await stat(real)).isDirectory()) throw AppError.of("path_not_found", `${candidate.shown} is not a folder`);
  return real;
};

/** What a machine publishes about its repositories folder (machines/machineRegistry.ts). */
export interface PublishedRepositories {
  readonly id: string;
  readonly reposDirectory: string;
  readonly repositories: readonly string[];
}

/**
 * The folder of a session on another machine, whose disk the api cannot see: checked against
 * the repositories that machine's runner published (a folder of its repositories folder, or a
 * path inside one), without touching any disk here. That runner confines it again, on its own
 * disk, when it starts a job.
 */
export const confineToPublished = (machine: PublishedRepositories, input: ProjectPathInput): string => {
  const root = posix.resolve(machine.reposDirectory);
  const candidate = candidateOf(root, input);
  const path = posix.resolve(candidate.path);
  const [first] = posix.relative(root, path).split("/");
  if (!path.startsWith(`${root}/`) || first === undefined || first === "" || first === "..") {
    throw AppError.of("forbidden_path", `${candidate.shown} must be a folder inside machine ${machine.id}'s repositories folder`);
  }
  if (!machine.repositories.includes(first)) throw AppError.of("path_not_found", `machine ${machine.id} has no repository ${first}`);
  return path;
};
