import { stat } from "node:fs/promises";
import type { Logger } from "pino";
import { transcriptFilesAt } from "./changedFiles.ts";
import { createDeltaBuilder } from "./fileDelta.ts";
import { deleteFiles, insertFiles, loadKnownFiles, applyNewSummaries, type FileStat, type KnownFile } from "./indexStore.ts";
import { decodeLines } from "./parseFile.ts";
import { listTranscriptFiles, type OnSkip, type SkipReason, type TranscriptFileRef } from "./paths.ts";
import { createRepeatFilter } from "./repeatFilter.ts";
import { createWriteBatcher, type WriteBatcher } from "./writeBatcher.ts";
import type { TranscriptDb } from "./transcriptDb.ts";
import { NotRegularFileError } from "../infra/regularFile.ts";

/**
 * Keeps the transcript index current, incrementally: a file whose size and mtime did not change is
 * not opened; a file that grew is read from the end of its last complete line; a file that shrank
 * or was replaced (new inode) is indexed again from the start.
 */
export type ScanProgress = { filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number };
export type ScanReport = {
  files: number;
  filesRead: number;
  bytesRead: number;
  lines: number;
  invalid: number;
  removed: number;
  /** Entries left out: outside the folder, bad names, FIFOs and other non-regular files, unreadable. */
  skipped: number;
  durationMs: number;
};

export type ScanOptions = {
  readonly onProgress?: (progress: ScanProgress) => void;
  /**
   * Only the transcripts at these paths (relative to the projects folder, as watch events name
   * them): what changed is read, nothing else is listed or stat'ed. Every file when absent.
   */
  readonly paths?: readonly string[];
};

export type TranscriptScanner = { scan(options?: ScanOptions): Promise<ScanReport> };

export type ScannerDeps = {
  readonly db: TranscriptDb;
  readonly claudeConfigDir: string;
  readonly logger: Logger;
  readonly maxLineBytes?: number;
  readonly concurrency?: number;
};

type Job = { ref: TranscriptFileRef; stat: FileStat; known: KnownFile | undefined; fileId: number };

/**
 * stat(2) never opens the file, so a FIFO cannot block here; undefined when it is gone. A folder
 * named like a transcript (only a watch event can name one) is a folder, as in the listing.
 */
const statOf = async (path: string): Promise<FileStat | "not_regular" | "folder" | undefined> => {
  try {
    const s = await stat(path);
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs, ino: `${s.dev}:${s.ino}` } : s.isDirectory() ? "folder" : "not_regular";
  } catch {
    return undefined;
  }
};

/** Why a file that failed to open is skipped; undefined for a failure worth an error. */
const skipReasonOf = (error: unknown): SkipReason | undefined => {
  if (error instanceof NotRegularFileError) return "not_regular";
  return error instanceof Error && "syscall" in error && error.syscall === "open" ? "unreadable" : undefined;
};

/**
 * A skipped entry is logged when first seen and when its reason changes, not on every scan (the
 * watcher scans every 30 s). `begin()` starts a scan; `finish()` forgets entries that went away
 * and returns how many this scan skipped.
 */
const createSkipLog = (logger: Logger) => {
  const reported = createRepeatFilter();
  return {
    begin: () => {
      const seen = new Set<string>();
      const skip: OnSkip = (path, reason) => {
        seen.add(path);
        if (reported.isNew(path, reason)) logger.warn({ path, reason }, "transcript file skipped");
      };
      /** A partial scan saw only some entries: it forgets none of the others. */
      const finish = (partial: boolean): number => {
        if (!partial) reported.retain(seen);
        return seen.size;
      };
      return { skip, finish };
    },
  };
};

const needsRead = (job: Job): boolean =>
  job.known === undefined ||
  job.known.size !== job.stat.size ||
  job.known.mtimeMs !== job.stat.mtimeMs ||
  job.known.ino !== job.stat.ino;

const isReset = (job: Job): boolean =>
  job.known !== undefined && (job.known.ino !== job.stat.ino || job.stat.size < job.known.scannedBytes);

/** Runs `work` over `items` with at most `limit` in flight, in order of start. */
const pool = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
};

export const createTranscriptScanner = (deps: ScannerDeps): TranscriptScanner => {
  const skipLog = createSkipLog(deps.logger);
  const readFile = async (job: Job, report: ScanReport, writer: WriteBatcher, withSummaries: number[]): Promise<void> => {
    const reset = isReset(job);
    const start = reset ? 0 : (job.known?.scannedBytes ?? 0);
    const builder = createDeltaBuilder(reset ? 0 : (job.known?.lineCount ?? 0));
    const options = { start, end: job.stat.size, ...(deps.maxLineBytes === undefined ? {} : { maxLineBytes: deps.maxLineBytes }) };
    const committed = await decodeLines(job.ref.path, builder.add, options);
    const delta = builder.delta();
    report.bytesRead += committed - start;
    report.lines += delta.counts.lines;
    report.invalid += delta.counts.invalid;
    if (delta.summaries.length > 0) withSummaries.push(job.fileId);
    if (delta.counts.invalid > 0) deps.logger.warn({ path: job.ref.path, invalid: delta.counts.invalid }, "transcript lines skipped");
    await writer.add({ fileId: job.fileId, reset, stat: job.stat, scannedBytes: committed, delta });
  };

  const readFailed = (job: Job, error: unknown, skip: OnSkip): void => {
    const reason = skipReasonOf(error);
    if (reason === undefined) deps.logger.error({ err: error, path: job.ref.path }, "transcript file could not be indexed");
    else skip(job.ref.path, reason);
  };

  /** Stats every listed file and registers the new ones (one statement). */
  const plan = async (refs: readonly TranscriptFileRef[], knownRows: Promise<Map<string, KnownFile>>, skip: OnSkip): Promise<Job[]> => {
    const [stats, known] = await Promise.all([Promise.all(refs.map((ref) => statOf(ref.path))), knownRows]);
    const present = refs.flatMap((ref, i) => {
      const found = stats[i];
      if (found === "not_regular") skip(ref.path, "not_regular");
      return found === undefined || typeof found === "string" ? [] : [{ ref, stat: found }];
    });
    const ids = await insertFiles(deps.db, present.filter(({ ref }) => !known.has(ref.path)).map(({ ref }) => ref));
    return present.map(({ ref, stat }) => {
      const old = known.get(ref.path);
      return { ref, stat, known: old, fileId: old?.id ?? (ids.get(ref.path) as number) };
    });
  };

  /** The files this scan looks at, the index's rows for them, and the ids of rows whose file is gone. */
  const survey = async (paths: readonly string[] | undefined, skip: OnSkip) => {
    let refs: TranscriptFileRef[];
    let known: Promise<Map<string, KnownFile>>;
    if (paths === undefined) {
      const [listed, rows] = await Promise.all([listTranscriptFiles(deps.claudeConfigDir, skip), loadKnownFiles(deps.db)]);
      [refs, known] = [listed, Promise.resolve(rows)];
    } else {
      const changed = await transcriptFilesAt(deps.claudeConfigDir, paths, skip);
      [refs, known] = [changed.refs, loadKnownFiles(deps.db, changed.candidates)];
    }
    const jobs = await plan(refs, known, skip);
    const present = new Set(jobs.map((job) => job.ref.path));
    return { jobs, gone: [...(await known).values()].filter((file) => !present.has(file.path)).map((file) => file.id) };
  };

  /** Reads what changed in `work`, a few files at a time, and writes it in batches. */
  const index = async (work: readonly Job[], report: ScanReport, skip: OnSkip, onProgress: ScanOptions["onProgress"]): Promise<void> => {
    const progress: ScanProgress = { filesDone: 0, filesTotal: work.length, bytesDone: 0, bytesTotal: 0 };
    for (const job of work) progress.bytesTotal += job.stat.size - (isReset(job) ? 0 : (job.known?.scannedBytes ?? 0));
    const withSummaries: number[] = [];
    const writer = createWriteBatcher(deps.db, (error, writes) =>
      deps.logger.error({ err: error, files: writes.length }, "transcript index batch failed; its files are read again next scan"),
    );
    await pool(work, deps.concurrency ?? 3, async (job) => {
      try {
        await readFile(job, report, writer, withSummaries);
      } catch (error) {
        readFailed(job, error, skip);
      }
      progress.filesDone++;
      progress.bytesDone = report.bytesRead;
      onProgress?.({ ...progress });
    });
    await writer.finish();
    await applyNewSummaries(deps.db, withSummaries);
  };

  const scanOnce: TranscriptScanner["scan"] = async (options = {}) => {
    const started = performance.now();
    const skips = skipLog.begin();
    const { jobs, gone } = await survey(options.paths, skips.skip);
    await deleteFiles(deps.db, gone);
    const work = jobs.filter(needsRead);
    const report: ScanReport = { files: jobs.length, filesRead: work.length, bytesRead: 0, lines: 0, invalid: 0, removed: gone.length, skipped: 0, durationMs: 0 };
    await index(work, report, skips.skip, options.onProgress);
    report.skipped = skips.finish(options.paths !== undefined);
    report.durationMs = performance.now() - started;
    return report;
  };

  // Scans run one at a time: two reading the same new bytes would both add their counts.
  let last: Promise<unknown> = Promise.resolve();
  const scan: TranscriptScanner["scan"] = (options) => {
    const next = last.then(() => scanOnce(options), () => scanOnce(options));
    last = next.catch(() => undefined);
    return next;
  };

  return { scan };
};
