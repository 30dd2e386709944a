import * as JSONSchema from "effect/JSONSchema";
import { z } from "zod";
import { eventDefinitions } from "../../events/registry.ts";
import { jobOutcomes, permissionKinds, sessionStatuses } from "../../events/statuses.ts";
import { Activity } from "../../projections/sessions/views.ts";
import type { SessionSnapshot } from "../live/snapshot.ts";

/**
 * The live stream's frames for the OpenAPI document, so a client generated from it can read
 * them: the snapshot, every stored event type (its data schema is the event's own Effect
 * Schema), the typing deltas and the errors. SSE sends them as `event:` frames (stored events
 * as plain messages with their `id`); the WebSocket as `{type, ...}` JSON messages.
 */
type JsonSchema = Record<string, unknown>;

/** The first frame of every connect (`SessionSnapshot`), as a schema. */
export const LiveSnapshot = z.object({
  sessionId: z.string(),
  version: z.number().int().describe("The session version the snapshot was folded up to"),
  state: z.enum(["empty", "open", "deleted"]),
  sessionStatus: z.enum(sessionStatuses).nullable(),
  isWorking: z.boolean(),
  currentJobId: z.string().nullable(),
  currentPromptId: z.string().nullable(),
  lastJobStatus: z.enum(jobOutcomes).nullable(),
  cancelPending: z.boolean(),
  queue: z.array(z.object({ promptId: z.string(), messageId: z.string(), position: z.number().int() })),
  pendingPermissions: z.array(z.object({
    requestId: z.string(), jobId: z.string(), toolName: z.string(), kind: z.enum(permissionKinds),
    input: z.record(z.string(), z.unknown()), suggestions: z.array(z.unknown()), description: z.string().nullable(),
  })),
  permissionRules: z.array(z.string()),
  working: z.object({
    jobId: z.string(),
    activity: Activity,
    since: z.string(),
    reply: z.object({ messageId: z.string().nullable(), text: z.string() }).nullable().describe("The answer being written, so far"),
  }).nullable(),
}) satisfies z.ZodType<Omit<SessionSnapshot, "state" | "sessionStatus" | "lastJobStatus" | "pendingPermissions">, unknown>;

/** JSON Schema draft-07 as Effect writes it, made an OpenAPI 3.1 schema: no `$schema`, no `$id`. */
const clean = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "$schema" && key !== "$id").map(([key, inner]) => [key, clean(inner)]));
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const envelope = (type: string, data: JsonSchema): JsonSchema => ({
  type: "object",
  description: `A stored ${type} event, as the log holds it (hash-chained per session)`,
  required: ["eventId", "type", "schemaVersion", "sessionId", "version", "occurredAt", "data", "meta", "prevHash", "hash"],
  properties: {
    eventId: { type: "string" },
    type: { const: type },
    schemaVersion: { type: "integer" },
    sessionId: { type: "string" },
    version: { type: "integer", description: "The event's place in its session: the stream entry id is 0-<version>" },
    occurredAt: { type: "string", description: "ISO 8601" },
    data,
    meta: {
      type: "object",
      required: ["actor", "correlationId", "causationId", "requestId"],
      properties: {
        actor: { type: "string" }, correlationId: { type: "string" },
        causationId: { type: ["string", "null"] }, requestId: { type: ["string", "null"] },
      },
    },
    prevHash: { type: "string" },
    hash: { type: "string" },
  },
});

/** Components for the live frames: `LiveEvent` (one of every stored event type), `LiveDelta`, `LiveSnapshot`, `LiveError`, `LiveMessage`. */
export const liveComponents = (snapshot: JsonSchema): Record<string, JsonSchema> => {
  const events = Object.fromEntries(eventDefinitions().map((definition) =>
    [`Event${definition.type}`, envelope(definition.type, clean(JSONSchema.make(definition.data)) as JsonSchema)]));
  return {
    ...events,
    LiveEvent: { oneOf: Object.keys(events).map(ref), discriminator: { propertyName: "type" }, description: "A stored event on the live stream" },
    LiveDelta: {
      type: "object", required: ["jobId", "line"],
      description: "A typing delta or a progress line of the running job (event: delta): ephemeral, never stored, no id",
      properties: { jobId: { type: "string" }, line: { type: "object", description: "The CLI's stream-json line as printed (stream_event, system/status, ...)" } },
    },
    LiveSnapshot: { ...snapshot, description: "Where the session stands, sent first on every connect" },
    LiveError: { type: "object", required: ["code"], properties: { code: { type: "string" }, message: { type: "string" } }, description: "Why the stream ends (slow_consumer, revoked, ...)" },
    LiveMessage: {
      description: "A WebSocket message: {type: snapshot, snapshot} | {type: event, id, event} | {type: delta, delta} | {type: error, ...}",
      oneOf: [
        { type: "object", required: ["type", "snapshot"], properties: { type: { const: "snapshot" }, snapshot: ref("LiveSnapshot") } },
        { type: "object", required: ["type", "id", "event"], properties: { type: { const: "event" }, id: { type: "string" }, event: ref("LiveEvent") } },
        { type: "object", required: ["type", "delta"], properties: { type: { const: "delta" }, delta: ref("LiveDelta") } },
        { type: "object", required: ["type", "code"], properties: { type: { const: "error" }, code: { type: "string" }, message: { type: "string" } } },
      ],
    },
  };
};
