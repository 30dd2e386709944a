import { spawnSync } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";

/** A real named pipe at `path` (coreutils `mkfifo`). */
export const makeFifo = (path: string): void => {
  const result = spawnSync("mkfifo", [path]);
  if (result.status !== 0) throw new Error(`mkfifo ${path} failed: ${result.stderr.toString()}`);
};

/**
 * Opens and closes the write end once, which wakes any reader blocked in open(2) on the pipe.
 * Without it a regression would leave threadpool threads stuck and the test process hanging.
 */
export const releaseFifo = (path: string): void => {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // ENXIO: no reader is waiting, nothing to release
  }
};

/** `promise`'s value, or a rejection naming `what` once `ms` have passed. */
export const within = async <T>(ms: number, what: string, promise: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
};
