// The subpath keeps the process from loading every module of effect (about 30 MB of RSS).
import * as Schema from "effect/Schema";
import { defineEvent, Json, type EventOf } from "./defineEvent.ts";

/** A job is one run of the CLI for one prompt. */
export const JobStarted = defineEvent("JobStarted", {
  jobId: Schema.String,
  promptId: Schema.String,
  runnerId: Schema.String,
  leaseMs: Schema.Number,
  /** The machine of the runner that started it. */
  machineId: Schema.optional(Schema.String),
}, {
  schemaVersion: 2,
  // v2 only added an optional field: a v1 job names no machine.
  upcast: (_from, data) => data,
});

/** One complete message printed by the CLI (system, assistant, user, result, ...). */
export const RunnerEventEmitted = defineEvent("RunnerEventEmitted", {
  jobId: Schema.String,
  seq: Schema.Number,
  kind: Schema.String,
  message: Json,
});

export const Usage = Json;

export const JobCompleted = defineEvent("JobCompleted", {
  jobId: Schema.String,
  promptId: Schema.String,
  resultSubtype: Schema.String,
  isError: Schema.Boolean,
  exitCode: Schema.NullOr(Schema.Number),
  costUsd: Schema.optional(Schema.Number),
  usage: Schema.optional(Usage),
  numTurns: Schema.optional(Schema.Number),
  durationMs: Schema.optional(Schema.Number),
  resultText: Schema.optional(Schema.String),
  /** What this job alone cost (`costUsd` is the CLI's total, cumulative for the conversation on 2.1). */
  jobCostUsd: Schema.optional(Schema.Number),
}, {
  schemaVersion: 2,
  // v2 only added an optional field.
  upcast: (_from, data) => data,
});

export const JobFailed = defineEvent("JobFailed", {
  jobId: Schema.String,
  promptId: Schema.String,
  reason: Schema.String,
  message: Schema.optional(Schema.String),
  exitCode: Schema.optional(Schema.NullOr(Schema.Number)),
  signal: Schema.optional(Schema.NullOr(Schema.String)),
  stderrTail: Schema.optional(Schema.String),
});

export const JobCancelled = defineEvent("JobCancelled", {
  jobId: Schema.String,
  promptId: Schema.String,
  exitCode: Schema.optional(Schema.NullOr(Schema.Number)),
  signal: Schema.optional(Schema.NullOr(Schema.String)),
  /** What the job cost up to its interrupt, when the CLI reported it. */
  jobCostUsd: Schema.optional(Schema.Number),
}, {
  schemaVersion: 2,
  // v2 only added an optional field.
  upcast: (_from, data) => data,
});

export const jobEvents = [JobStarted, RunnerEventEmitted, JobCompleted, JobFailed, JobCancelled] as const;
export type JobEvent = EventOf<(typeof jobEvents)[number]>;
