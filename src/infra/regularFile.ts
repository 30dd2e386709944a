import type { Stats } from "node:fs";
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/** Thrown for a path that is a FIFO, socket, device or folder: it is never read. */
export class NotRegularFileError extends Error {
  readonly path: string;

  constructor(path: string, what: string) {
    super(`${path} is a ${what}, not a regular file`);
    this.name = "NotRegularFileError";
    this.path = path;
  }
}

const describeKind = (stats: Stats): string =>
  stats.isFIFO() ? "FIFO" : stats.isSocket() ? "socket" : stats.isDirectory() ? "directory" : stats.isCharacterDevice() || stats.isBlockDevice() ? "device" : "special file";

// O_NONBLOCK: a FIFO opened without it waits for a writer, holding one of libuv's four threadpool
// threads for ever. O_NOCTTY: a terminal never becomes ours. O_NOFOLLOW: callers pass real paths,
// so a symlink found here was swapped in since they were resolved.
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | constants.O_NOFOLLOW;

/**
 * How files we do not control are opened (transcripts under the Claude folder, a repository's
 * git HEAD): without blocking, and only a regular file (checked on the open handle, so nothing
 * can be swapped in between). Throws
 * NotRegularFileError for anything else, and the open's own error when the file is missing.
 */
export const openRegularFile = async (realPath: string): Promise<FileHandle> => {
  let handle: FileHandle;
  try {
    handle = await open(realPath, READ_FLAGS);
  } catch (error) {
    // open(2) answers ENXIO for a Unix socket (and a device with no driver).
    if ((error as NodeJS.ErrnoException).code === "ENXIO") throw new NotRegularFileError(realPath, "socket or device");
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isFile()) return handle;
    throw new NotRegularFileError(realPath, describeKind(stats));
  } catch (error) {
    await handle.close();
    throw error;
  }
};

