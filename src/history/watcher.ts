import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { HistoryScanner } from "./scanner.ts";

/**
 * Keeps the history index current while the CLI writes. File events only trigger a scan (which
 * is cheap: unchanged files are not opened); a periodic scan covers what the events miss
 * (recursive fs.watch is best-effort on Linux, and the projects folder may not exist yet).
 * Scans never overlap: events during a scan schedule exactly one more.
 */
export type HistoryWatcher = { start(): Promise<void>; stop(): Promise<void>; runNow(): Promise<void> };

export const createHistoryWatcher = (deps: {
  scanner: HistoryScanner;
  claudeConfigDir: string;
  logger: Logger;
  debounceMs?: number;
  intervalMs?: number;
}): HistoryWatcher => {
  const debounceMs = deps.debounceMs ?? 250;
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
          if (report.filesRead > 0) deps.logger.debug({ report }, "history index updated");
        } catch (error) {
          deps.logger.error({ err: error }, "history scan failed");
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
      watcher = watch(join(deps.claudeConfigDir, "projects"), { recursive: true, persistent: false }, schedule);
      watcher.on("error", (error) => deps.logger.warn({ err: error }, "history watcher error; polling only"));
    } catch (error) {
      deps.logger.warn({ err: error }, "history folder not watchable; polling only");
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
