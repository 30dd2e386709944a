// The subpath keeps the process from loading every module of effect (about 30 MB of RSS).
import * as Schema from "effect/Schema";
import { defineEvent, Json, type EventOf } from "./defineEvent.ts";
import { sessionStatuses } from "./statuses.ts";

/** Session lifecycle: the session aggregate's own facts. */
export const SessionStatus = Schema.Literal(...sessionStatuses);

export const SessionCreated = defineEvent("SessionCreated", {
  projectPath: Schema.String,
  claudeDirectoryPath: Schema.String,
  context: Schema.NullOr(Schema.String),
  metadata: Json,
  /** The machine whose runner runs the session's prompts (its folder is on that machine); none: any runner. */
  machineId: Schema.optional(Schema.String),
}, {
  schemaVersion: 2,
  // v2 only added an optional field: a v1 session belongs to no machine.
  upcast: (_from, data) => data,
});

export const SessionUpdated = defineEvent("SessionUpdated", {
  context: Schema.optional(Schema.NullOr(Schema.String)),
  metadata: Schema.optional(Json),
  status: Schema.optional(SessionStatus),
});

export const SessionDeleted = defineEvent("SessionDeleted", {
  reason: Schema.optional(Schema.String),
});

/** The Claude Code conversation id that the CLI reported for this session. */
export const ClaudeSessionLinked = defineEvent("ClaudeSessionLinked", {
  claudeSessionId: Schema.String,
  jobId: Schema.String,
});

export const sessionEvents = [SessionCreated, SessionUpdated, SessionDeleted, ClaudeSessionLinked] as const;
export type SessionEvent = EventOf<(typeof sessionEvents)[number]>;
