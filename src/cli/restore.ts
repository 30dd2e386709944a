import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import type { Projection } from "../../projections/projection.ts";
import { sessionDecider, type SessionState } from "../../commands/session/index.ts";
import { decodeEvent, type DomainEvent } from "../../events/registry.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import { createSessionCommandHandler } from "../eventStore/sessionCommandHandler.ts";
import type { Database } from "../infra/database.ts";
import { createDeploymentWitness } from "../infra/deploymentWitness.ts";
import { createArchiveReader, TamperedArchiveError } from "../projector/archiveReader.ts";
import { listCheckpoints, projectionGroup } from "../projector/checkpoints.ts";
import { createProgress, type ProgressOutput } from "./progress.ts";

export const restoreUsage = `usage: ccm restore --from archive [--force]

Rebuilds the event store in Redis (session streams, heads, partition logs with their original
positions, consumer groups) from the Postgres event archive, after Redis lost its data. Every
session's hash chain is verified before anything is written; a tampered archive is refused.
Jobs that were running are failed with reason redis_data_lost. The running service notices
within seconds and takes writes again. Events not archived yet when Redis lost its data are
gone. --force restores even when Redis still holds the deployment's marker.
`;

export interface RestoreDeps {
  readonly db: Database;
  readonly store: EventStore;
  readonly keyPrefix: string;
  readonly logger: Logger;
  readonly projections: readonly Projection[];
  readonly out: ProgressOutput;
  readonly err: ProgressOutput;
}

const BATCH = 2000;

/** Reads every partition of the archive in log order, verified as it goes; `each` gets the batches. */
const readArchive = async (deps: RestoreDeps, each: (events: Awaited<ReturnType<ReturnType<typeof createArchiveReader>["read"]>>) => Promise<void>) => {
  const reader = createArchiveReader(deps.db, deps.store.partitionFor);
  await reader.checkPartitions(deps.store.partitions);
  for (let partition = 0; partition < deps.store.partitions; partition += 1) {
    for (let after: string | null = null; ;) {
      const events = await reader.read(partition, after, BATCH);
      if (events.length === 0) break;
      await each(events);
      after = events.at(-1)?.entryId ?? after;
    }
  }
};

/** Where each consumer group starts in a restored partition: a projection at its checkpoint, the runner at the start (it nudges every queue). */
const groupStarts = async (deps: RestoreDeps) => {
  const checkpoints = await listCheckpoints(deps.db, deps.projections.map((projection) => projection.name));
  const groups = [...deps.projections.map((projection) => projectionGroup(projection.name)), "runner"];
  const startOf = (group: string, partition: number) =>
    checkpoints.find((row) => projectionGroup(row.projection) === group && row.partition === partition)?.entryId ?? "0";
  return { groups, startOf };
};

/** `ccm restore --from archive`. Returns the exit code. */
export const runRestore = async (args: readonly string[], deps: RestoreDeps): Promise<number> => {
  let force: boolean;
  try {
    const { values } = parseArgs({ args: [...args], options: { from: { type: "string" }, force: { type: "boolean" } } });
    if (values.from !== "archive") throw new Error("--from archive is the only source");
    force = values.force === true;
  } catch (error) {
    deps.err.write(`${(error as Error).message}\n${restoreUsage}`);
    return 2;
  }
  const witness = createDeploymentWitness(deps.db, deps.keyPrefix);
  const recorded = await witness.recorded();
  const current = await deps.store.deploymentMarker();
  if (current !== null && current === recorded && !force) {
    deps.err.write(`Redis holds this deployment's data (marker ${current}): nothing to restore (--force to restore anyway)\n`);
    return 1;
  }
  try {
    const progress = createProgress(deps.err, "verify");
    let verified = 0;
    await readArchive(deps, async (events) => {
      verified += events.length;
      progress.update(verified, verified);
    });
    progress.finish(`archive verified: ${verified} events`);
    const restored = await write(deps, recorded ?? randomUUID(), verified);
    if (recorded === null) await witness.record(restored.marker);
    deps.out.write(`restored ${restored.events} events of ${restored.sessions} sessions; failed ${restored.failedJobs} running jobs (redis_data_lost)\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof TamperedArchiveError)) throw error;
    deps.err.write(`restore refused, nothing written: ${error.message}\n`);
    return 1;
  }
};

const write = async (deps: RestoreDeps, marker: string, total: number) => {
  const restore = deps.store.restore();
  const states = new Map<string, SessionState>();
  const progress = createProgress(deps.err, "restore");
  let events = 0;
  await restore.clear();
  await readArchive(deps, async (batch) => {
    await restore.write(batch);
    for (const { envelope } of batch) {
      const decoded = decodeEvent(envelope);
      const state = states.get(envelope.sessionId) ?? sessionDecider.initialState();
      states.set(envelope.sessionId, decoded.known ? sessionDecider.evolve(state, decoded as unknown as DomainEvent) : state);
    }
    events += batch.length;
    progress.update(events, total);
  });
  const { groups, startOf } = await groupStarts(deps);
  const { sessions } = await restore.finish(marker, groups, startOf);
  progress.finish(`restored ${events} events`);
  const failedJobs = await failRunningJobs(deps.store, states);
  return { marker, events, sessions, failedJobs };
};

/** A job that was running when Redis lost its data has no runner any more: it ends, and its queue moves on. */
const failRunningJobs = async (store: EventStore, states: ReadonlyMap<string, SessionState>) => {
  const commands = createSessionCommandHandler(store);
  const meta = { actor: "ccm-restore", correlationId: randomUUID(), causationId: null, requestId: null };
  let failed = 0;
  for (const [sessionId, state] of states) {
    if (state.status !== "open" || state.running === null) continue;
    const data = { jobId: state.running.jobId, reason: "redis_data_lost", message: "Redis lost its data while the job ran; the session was restored from the archive" };
    await commands.execute(sessionId, { type: "FailJob", data }, { meta });
    failed += 1;
  }
  return failed;
};
