// The subpath keeps the process from loading every module of effect (about 30 MB of RSS).
import * as Schema from "effect/Schema";
import { defineEvent, Json, type EventOf } from "./defineEvent.ts";

/** The CLI asked (over the stdio control protocol) whether a tool may run. */
export const PermissionRequested = defineEvent("PermissionRequested", {
  jobId: Schema.String,
  requestId: Schema.String,
  toolName: Schema.String,
  input: Json,
  toolUseId: Schema.optional(Schema.String),
});

export const PermissionDecided = defineEvent("PermissionDecided", {
  jobId: Schema.String,
  requestId: Schema.String,
  behavior: Schema.Literal("allow", "deny"),
  message: Schema.optional(Schema.String),
  updatedInput: Schema.optional(Json),
});

export const permissionEvents = [PermissionRequested, PermissionDecided] as const;
export type PermissionEvent = EventOf<(typeof permissionEvents)[number]>;
