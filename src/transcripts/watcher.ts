import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { toError } from "../errors.ts";
import { createRepeatFilter } from "./repeatFilter.ts";
import type { TranscriptScanner } from "./scanner.ts";

/**
 * Keeps the transcript index current while the CLI writes. File events only trigger a scan (which
 * is cheap: unchanged files are not opened); a periodic scan covers what the events miss
 * (recursive fs.watch is best-effort on Linux, and the projects folder may not exist yet).
 * Scans never overlap: events during a scan schedule exactly one more. A failure that persists
 * (database down, folder missing, inotify limit) is logged when it starts or changes, and its end
 * once, not on every tick.
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
  debounceMs?: number;
  intervalMs?: number;
}): TranscriptWatcher => {
  const debounceMs = deps.debounceMs ?? 250;
  const { failed, recovered } = createProblemLog(deps.logger);
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let interval: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;

  const runNow = async (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          const report = await deps.scanner.scan();
          recovered("scan", "transcript scan works again");
          if (report.filesRead > 0) deps.logger.debug({ report }, "transcript index updated");
        } catch (error) {
          failed("scan", error, "transcript scan failed");
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void runNow(), debounceMs);
  };

  const watchFolder = (): void => {
    try {
      // Only a delivered event proves the watch works: a watch that errors right after it was
      // set up must not log "again" on every tick.
      const current = watch(join(deps.claudeConfigDir, "projects"), { recursive: true, persistent: false }, () => {
        recovered("watch", "transcript folder watched again");
        schedule();
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
