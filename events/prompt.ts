// The subpath keeps the process from loading every module of effect (about 30 MB of RSS).
import * as Schema from "effect/Schema";
import { defineEvent, type EventOf } from "./defineEvent.ts";

/** Per-prompt options for the CLI, validated at the edge and stored with the prompt. */
export const PromptOptions = Schema.Struct({
  model: Schema.optional(Schema.String),
  permissionMode: Schema.optional(Schema.String),
  allowedTools: Schema.optional(Schema.Array(Schema.String)),
  disallowedTools: Schema.optional(Schema.Array(Schema.String)),
  maxTurns: Schema.optional(Schema.Number),
});
export type PromptOptions = typeof PromptOptions.Type;

export const PromptEnqueued = defineEvent("PromptEnqueued", {
  promptId: Schema.String,
  messageId: Schema.String,
  prompt: Schema.String,
  projectPath: Schema.String,
  options: Schema.optional(PromptOptions),
  /** Sent to steer the job running then: written into its CLI at once (it waits at the head of the queue until the runner did). */
  steerInto: Schema.optional(Schema.String),
}, {
  schemaVersion: 2,
  // v2 only added optional fields: a v1 prompt is a v2 prompt that was queued.
  upcast: (_from, data) => data,
});

/** The runner wrote a steering prompt into the running CLI: it is part of that job now. */
export const PromptSteered = defineEvent("PromptSteered", {
  promptId: Schema.String,
  jobId: Schema.String,
});

/** The phone asked to cancel a prompt that is running; the runner acts on it. */
export const PromptCancelRequested = defineEvent("PromptCancelRequested", {
  promptId: Schema.String,
  jobId: Schema.String,
});

/** A queued prompt was removed before it ran. */
export const PromptCancelled = defineEvent("PromptCancelled", {
  promptId: Schema.String,
  reason: Schema.String,
});

export const promptEvents = [PromptEnqueued, PromptSteered, PromptCancelRequested, PromptCancelled] as const;
export type PromptEvent = EventOf<(typeof promptEvents)[number]>;
