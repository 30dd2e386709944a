// The subpath keeps the process from loading every module of effect (about 30 MB of RSS).
import * as Schema from "effect/Schema";
import { defineEvent, Json, type EventOf } from "./defineEvent.ts";
import { permissionKinds, type PermissionKind } from "./statuses.ts";

/**
 * Approvals: the CLI asks (over the stdio control protocol) whether a tool may run, a question
 * may be put to the person, or a plan may be left; the phone answers, or the request expires,
 * or it is cancelled (its job ended, or the CLI withdrew it). Its status words are in
 * `statuses.ts`.
 */

/** What a request asks the person: a question (AskUserQuestion), a plan to leave (ExitPlanMode), or a tool to run. */
export const permissionKindOf = (toolName: string): PermissionKind =>
  toolName === "AskUserQuestion" ? "question" : toolName === "ExitPlanMode" ? "plan" : "tool";

export const PermissionRequested = defineEvent("PermissionRequested", {
  jobId: Schema.String,
  requestId: Schema.String,
  toolName: Schema.String,
  input: Json,
  toolUseId: Schema.optional(Schema.String),
  kind: Schema.Literal(...permissionKinds),
  /** The CLI's own suggestions (PermissionUpdate[]), kept verbatim: "always allow" uses them. */
  suggestions: Schema.optional(Schema.Array(Schema.Unknown)),
  description: Schema.optional(Schema.String),
}, {
  schemaVersion: 2,
  // v1 had no kind: it follows from the tool.
  upcast: (_from, data) => ({ ...(data as Record<string, unknown>), kind: permissionKindOf(String((data as { toolName?: unknown }).toolName)) }),
});

/** A person answered. `always` remembers `rules` for the session's later prompts. */
export const PermissionDecided = defineEvent("PermissionDecided", {
  jobId: Schema.String,
  requestId: Schema.String,
  behavior: Schema.Literal("allow", "deny"),
  message: Schema.optional(Schema.String),
  updatedInput: Schema.optional(Json),
  always: Schema.optional(Schema.Boolean),
  rules: Schema.optional(Schema.Array(Schema.String)),
  /** A question's answers: question text → chosen option or free text. */
  answers: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  /** Leaving a plan: the permission mode to continue in. */
  permissionMode: Schema.optional(Schema.String),
}, {
  schemaVersion: 2,
  // v2 only added optional fields: a v1 answer is a v2 answer.
  upcast: (_from, data) => data,
});

/** Nobody answered in time: the CLI was told no (never yes: expiry does not fail open). */
export const PermissionExpired = defineEvent("PermissionExpired", {
  jobId: Schema.String,
  requestId: Schema.String,
  message: Schema.String,
});

/** The request ended unanswered: its job ended, or the CLI withdrew it. */
export const PermissionCancelled = defineEvent("PermissionCancelled", {
  jobId: Schema.String,
  requestId: Schema.String,
  reason: Schema.Literal("job_ended", "cli_cancelled"),
});

/** The session's standing "always allow" rules, as set by a person (PATCH). */
export const PermissionRulesSet = defineEvent("PermissionRulesSet", {
  rules: Schema.Array(Schema.String),
});

export const permissionEvents = [PermissionRequested, PermissionDecided, PermissionExpired, PermissionCancelled, PermissionRulesSet] as const;
export type PermissionEvent = EventOf<(typeof permissionEvents)[number]>;
