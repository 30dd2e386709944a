import { parseArgs } from "node:util";
import type { Logger } from "pino";
import type { Projection } from "../../projections/projection.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { Database } from "../infra/database.ts";
import { replayProjection, type ReplayOutcome, type ReplaySource } from "../projector/replay.ts";
import { createProgress, type ProgressOutput } from "./progress.ts";

export interface CliDeps {
  readonly db: Database;
  readonly store: EventStore;
  readonly logger: Logger;
  readonly projections: readonly Projection[];
  /** Results go here (stdout). */
  readonly out: ProgressOutput;
  /** Progress and problems go here (stderr). */
  readonly err: ProgressOutput;
  /** Aborts the replay; when absent, SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
}

export const replayUsage = `usage: ccm replay <projection>|--all [--from auto|redis|archive] [--dry-run]

Rebuilds projections from the event history into shadow tables while the live projector keeps
running, then swaps them in atomically. Interrupt with Ctrl-C; running it again resumes.
  --from auto      (default) the partition logs while Redis still holds the whole history,
                   else the archive (the archive itself is then kept as it is)
  --from redis     read the partition logs
  --from archive   read the Postgres event archive (when Redis has trimmed), verifying it as it
                   reads: a tampered row stops the rebuild, nothing is swapped in (exit 1);
                   not for "archive" itself
  --dry-run        rebuild and compare row counts, then throw the rebuild away
`;

type Parsed = { projections: Projection[]; source: ReplaySource | "auto"; dryRun: boolean; all: boolean } | { error: string };

const parse = (args: readonly string[], known: readonly Projection[]): Parsed => {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { all: { type: "boolean" }, from: { type: "string" }, "dry-run": { type: "boolean" } } });
  } catch (error) {
    return { error: (error as Error).message };
  }
  const { values, positionals } = parsed;
  const source = values.from ?? "auto";
  if (source !== "redis" && source !== "archive" && source !== "auto") return { error: `--from must be auto, redis or archive, not ${source}` };
  if (values.all === true && positionals.length > 0) return { error: "give a projection name or --all, not both" };
  const names = values.all === true ? known.map((projection) => projection.name) : positionals;
  if (names.length === 0) return { error: "name a projection or pass --all" };
  const chosen: Projection[] = [];
  for (const name of names) {
    const projection = known.find((candidate) => candidate.name === name);
    if (!projection) return { error: `unknown projection ${name}; known: ${known.map((candidate) => candidate.name).join(", ")}` };
    // The archive is what replay reads when Redis has trimmed: it is never rebuilt from itself.
    if (source === "archive" && projection.handles === "all") {
      if (values.all !== true) return { error: `${name} cannot be rebuilt from the archive; use --from redis` };
      continue;
    }
    chosen.push(projection);
  }
  return { projections: chosen, source, dryRun: values["dry-run"] === true, all: values.all === true };
};

/**
 * `--from auto`: the partition logs while no partition has been trimmed (retention trims them
 * once the archive has everything), else the archive. The archive is the history itself: it
 * is never rebuilt from itself, so it is kept as it is (or refused when named).
 */
const chooseSource = async (parsed: Exclude<Parsed, { error: string }>, deps: CliDeps): Promise<{ source: ReplaySource; projections: Projection[] } | { error: string }> => {
  if (parsed.source !== "auto") return { source: parsed.source, projections: parsed.projections };
  const trimmed = await deps.store.trimmedPartitions();
  if (trimmed.length === 0) return { source: "redis", projections: parsed.projections };
  const fromArchive = parsed.projections.filter((projection) => projection.handles !== "all");
  const kept = parsed.projections.filter((projection) => projection.handles === "all").map((projection) => projection.name);
  if (kept.length > 0 && !parsed.all) return { error: `the Redis logs are trimmed (partitions ${trimmed.join(", ")}) and ${kept.join(", ")} cannot be rebuilt from itself: it is the history that is left` };
  deps.err.write(`the Redis logs are trimmed (partitions ${trimmed.join(", ")}): reading the archive${kept.length > 0 ? `; ${kept.join(", ")} is kept as it is (it is the history itself)` : ""}\n`);
  return { source: "archive", projections: fromArchive };
};

const summary = (outcome: ReplayOutcome): string => {
  const rate = outcome.seconds > 0 ? Math.round(outcome.events / outcome.seconds) : 0;
  const tables = outcome.tables.map((row) => `${row.table} ${row.rebuilt} rows (live ${row.live})`).join(", ");
  const verb = { swapped: "rebuilt and swapped in", "dry-run": "rebuilt (dry run, discarded)", interrupted: "interrupted; run again to resume" }[outcome.status];
  return `${outcome.projection}: ${verb}: ${outcome.events} events in ${outcome.seconds.toFixed(1)}s (${rate} ev/s)` +
    `${outcome.skipped > 0 ? `, ${outcome.skipped} skipped` : ""}${outcome.resumed ? ", resumed" : ""}${tables ? `; ${tables}` : ""}`;
};

const withSignal = async <T>(given: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  if (given) return run(given);
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once("SIGINT", abort);
  process.once("SIGTERM", abort);
  try {
    return await run(controller.signal);
  } finally {
    process.off("SIGINT", abort);
    process.off("SIGTERM", abort);
  }
};

/** `ccm replay`: 0 when every rebuild finished, 130 when interrupted, 2 on bad arguments, 1 on failure. */
export const runReplay = async (args: readonly string[], deps: CliDeps): Promise<number> => {
  const parsed = parse(args, deps.projections);
  if ("error" in parsed) {
    deps.err.write(`${parsed.error}\n\n${replayUsage}`);
    return 2;
  }
  const chosen = await chooseSource(parsed, deps);
  if ("error" in chosen) {
    deps.err.write(`${chosen.error}\n`);
    return 1;
  }
  return withSignal(deps.signal, async (signal) => {
    for (const projection of chosen.projections) {
      const progress = createProgress(deps.err, `${projection.name}:`);
      try {
        const outcome = await replayProjection({
          db: deps.db, store: deps.store, projection, source: chosen.source, dryRun: parsed.dryRun, logger: deps.logger, signal,
          onProgress: ({ done, total }) => progress.update(done, total),
        });
        progress.finish(summary(outcome));
        if (outcome.status === "interrupted") return 130;
      } catch (error) {
        progress.finish(`${projection.name}: replay failed: ${(error as Error).message}`);
        return 1;
      }
    }
    return 0;
  });
};
