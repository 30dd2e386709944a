import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { toError } from "../errors.ts";
import { createRepeatFilter } from "./repeatFilter.ts";
import type { ScanOptions, TranscriptScanner } from "./scanner.ts";

/**
 * Keeps the transcript index current while the CLI writes. A file event names the file that
 * changed: that file alone is scanned, at once (a partial scan stats and reads only it), so an
 * appended line is in the index milliseconds after the write. An event that names nothing, and
 * a periodic full scan, cover what the events miss (recursive fs.watch is best-effort on Linux,
 * and the projects folder may not exist yet). Scans never overlap: what is named during a scan
 * is scanned right after it, together. A failure that persists (database down, folder missing,
 * inotify limit) is logged when it starts or changes, and its end once, not on every tick.
 */
export type TranscriptWatcher = { start(): Promise<void>; stop(): Promise<void>; runNow(): Promise<void> };

/** Two failures are the same when their code (or name) and message are. */
const signatureOf = (thrown: unknown): string => {
  const error = toError(thrown);
  return `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`;
};

/** Logs a failure of one kind when it starts or changes, and its end once. */
const createProblemLog = (logger: Logger) => {
  const problems = createRepeatFilter();
  return {
    failed: (kind: "scan" | "watch", error: unknown, message: string): void => {
      if (problems.isNew(kind, signatureOf(error))) logger[kind === "scan" ? "error" : "warn"]({ err: error }, message);
    },
    recovered: (kind: "scan" | "watch", message: string): void => {
      if (problems.clear(kind)) logger.info(message);
    },
  };
};

export const createTranscriptWatcher = (deps: {
  scanner: TranscriptScanner;
  claudeConfigDir: string;
  logger: Logger;
  /** Wait after an event before scanning, to gather a burst of writes (0: at once). */
  debounceMs?: number;
  intervalMs?: number;
}): TranscriptWatcher => {
  const debounceMs = deps.debounceMs ?? 0;
  const { failed, recovered } = createProblemLog(deps.logger);
  const due = { full: false, paths: new Set<string>() };
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let interval: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;

  /** The next scan to run: a full one covers every named file too. */
  const next = (): ScanOptions | undefined => {
    if (due.full) {
      due.full = false;
      due.paths.clear();
      return {};
    }
    if (due.paths.size === 0) return undefined;
    const paths = [...due.paths];
    due.paths.clear();
    return { paths };
  };

  const drain = async (): Promise<void> => {
    for (let options = next(); options !== undefined && !stopped; options = next()) {
      try {
        const report = await deps.scanner.scan(options);
        recovered("scan", "transcript scan works again");
        if (report.filesRead > 0 || report.removed > 0) deps.logger.debug({ report, paths: options.paths ?? "all" }, "transcript index updated");
      } catch (error) {
        failed("scan", error, "transcript scan failed");
      }
    }
  };

  /** Runs what is due; while scans run, new work joins their loop. */
  const kick = (): Promise<void> => {
    running ??= drain().finally(() => {
      running = undefined;
    });
    return running;
  };

  const runNow = (): Promise<void> => {
    due.full = true;
    return kick();
  };

  const schedule = (path: string | null): void => {
    if (stopped) return;
    if (path === null) due.full = true;
    else due.paths.add(path);
    if (debounceMs === 0) {
      setImmediate(() => void kick()); // a timer would wait a millisecond at least
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => void kick(), debounceMs);
  };

  const watchFolder = (): void => {
    try {
      // Only a delivered event proves the watch works: a watch that errors right after it was
      // set up must not log "again" on every tick.
      const current = watch(join(deps.claudeConfigDir, "projects"), { recursive: true, persistent: false }, (_event, name) => {
        recovered("watch", "transcript folder watched again");
        schedule(name);
      });
      watcher = current;
      current.on("error", (error) => {
        failed("watch", error, "transcript watcher error; polling only");
        current.close();
        if (watcher === current) watcher = undefined; // the next tick watches again
      });
    } catch (error) {
      failed("watch", error, "transcript folder not watchable; polling only");
    }
  };

  return {
    runNow,
    start: async () => {
      watchFolder();
      interval = setInterval(() => {
        if (watcher === undefined) watchFolder();
        void runNow();
      }, deps.intervalMs ?? 30_000);
      interval.unref();
      await runNow();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(interval);
      watcher?.close();
      await running;
    },
  };
};
