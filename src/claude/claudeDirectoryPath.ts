import { join } from "node:path";

// Claude Code's own limit: longer names are cut and suffixed with a hash (2.1.x and later).
const MAX_FOLDER_NAME = 200;

/** Java's String.hashCode over UTF-16 code units, as the CLI computes it (32-bit, signed). */
const javaStringHash = (text: string): number => {
  let hash = 0;
  for (let index = 0; index < text.length; index++) {
    hash = ((hash << 5) - hash + text.charCodeAt(index)) | 0;
  }
  return hash;
};

/**
 * The folder under `<claude root>/projects/` where Claude Code keeps a project's history.
 * Every UTF-16 code unit that is not an ASCII letter or digit becomes `-` (so `é` gives one
 * `-`, an emoji two). Names over 200 characters keep their first 200 plus `-` and the base-36
 * hash of the original path. Not reversible: read the real path from the files' `cwd`.
 * Pass the physical path (symlinks resolved), as the CLI does.
 * See reference/claude-code-formats.md §3.
 */
export const claudeProjectFolderName = (absolutePath: string): string => {
  const name = absolutePath.replace(/[^a-zA-Z0-9]/g, "-");
  if (name.length <= MAX_FOLDER_NAME) return name;
  return `${name.slice(0, MAX_FOLDER_NAME)}-${Math.abs(javaStringHash(absolutePath)).toString(36)}`;
};

/**
 * The project folder for a session: `<claudeConfigDir>/projects/<encoded projectPath>`.
 * `claudeConfigDir` is `$CLAUDE_CONFIG_DIR` or `~/.claude`; the CLI NFC-normalises that root.
 */
export const claudeDirectoryPath = (claudeConfigDir: string, projectPath: string): string =>
  join(claudeConfigDir.normalize("NFC"), "projects", claudeProjectFolderName(projectPath));
