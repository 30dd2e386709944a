import { parseArgs } from "node:util";
import { listCheckpoints, projectionGroup } from "../projector/checkpoints.ts";
import { readLag } from "../projector/lag.ts";
import type { CliDeps } from "./replay.ts";

export const projectionsUsage = `usage: ccm projections [--json] [--dead-letters]

Lists each projection with its checkpoints, lag (entries behind, age of the oldest unprocessed
event) and dead letters. --dead-letters also prints the dead letters themselves.
`;

const age = (ms: number): string => (ms === 0 ? "-" : ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`);

/** `ccm projections`: 0, or 2 on bad arguments. */
export const runProjections = async (args: readonly string[], deps: Omit<CliDeps, "signal">): Promise<number> => {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: { json: { type: "boolean" }, "dead-letters": { type: "boolean" } } }));
  } catch (error) {
    deps.err.write(`${(error as Error).message}\n\n${projectionsUsage}`);
    return 2;
  }
  const names = deps.projections.map((projection) => projection.name);
  const lag = await readLag({ db: deps.db, store: deps.store, projections: names });
  const checkpoints = await listCheckpoints(deps.db, names);
  const letters = values["dead-letters"] === true
    ? Object.fromEntries(await Promise.all(names.map(async (name) => [name, await deps.store.deadLetters(projectionGroup(name)).list()] as const)))
    : {};
  if (values.json === true) {
    deps.out.write(`${JSON.stringify({ projections: lag, checkpoints, deadLetters: letters }, null, 2)}\n`);
    return 0;
  }
  for (const row of lag) {
    const mine = checkpoints.filter((checkpoint) => checkpoint.projection === row.projection);
    deps.out.write(`${row.projection}: behind ${row.behind}, oldest unprocessed ${age(row.oldestUnprocessedAgeMs)}, dead letters ${row.deadLetters}\n`);
    for (const partition of row.partitions) {
      const updated = mine.find((checkpoint) => checkpoint.partition === partition.partition)?.updatedAt ?? "never";
      deps.out.write(`  partition ${partition.partition}: checkpoint ${partition.checkpoint ?? "-"} (${updated}), behind ${partition.behind}, oldest ${age(partition.oldestUnprocessedAgeMs)}\n`);
    }
    for (const letter of letters[row.projection] ?? []) {
      deps.out.write(`  dead letter ${letter.partition}:${letter.entryId} after ${letter.deliveries} deliveries at ${letter.deadAt}: ${letter.error}\n`);
    }
  }
  return 0;
};
