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
  /** A conversation begun elsewhere (at the terminal) that this session continues: its first prompt resumes it. */
  claudeSessionId: Schema.optional(Schema.String),
}, {
  schemaVersion: 3,
  // v2 and v3 only added optional fields: a v1 session belongs to no machine and continues nothing.
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

/** One message of a conversation's earlier turns, as its transcript holds it (content in the session messages' block model). */
export const ImportedMessage = Schema.Struct({
  uuid: Schema.String,
  role: Schema.Literal("user", "assistant"),
  text: Schema.String,
  content: Schema.Array(Json),
  at: Schema.NullOr(Schema.String),
  /** Lines of one API response share it: they form one message. */
  apiMessageId: Schema.NullOr(Schema.String),
});

/** The earlier turns of the conversation a session continues, so the phone reads it whole (in chunks). */
export const TurnsImported = defineEvent("TurnsImported", {
  claudeSessionId: Schema.String,
  messages: Schema.Array(ImportedMessage),
});

/** The session leaves its conversation: the next prompt starts a new one. */
export const ConversationReset = defineEvent("ConversationReset", {
  previousClaudeSessionId: Schema.NullOr(Schema.String),
});

export const sessionEvents = [SessionCreated, SessionUpdated, SessionDeleted, ClaudeSessionLinked, TurnsImported, ConversationReset] as const;
export type SessionEvent = EventOf<(typeof sessionEvents)[number]>;
