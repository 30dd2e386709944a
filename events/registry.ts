import * as Either from "effect/Either";
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import type { EventDefinition } from "./defineEvent.ts";
import { Envelope } from "./envelope.ts";
import { jobEvents, type JobEvent } from "./job.ts";
import { permissionEvents, type PermissionEvent } from "./permission.ts";
import { promptEvents, type PromptEvent } from "./prompt.ts";
import { sessionEvents, type SessionEvent } from "./session.ts";

/** Every event this service writes, by family. */
export type DomainEvent = SessionEvent | PromptEvent | JobEvent | PermissionEvent;
export type EventType = DomainEvent["type"];
export type EventByType<T extends EventType> = Extract<DomainEvent, { type: T }>;

const definitions: readonly EventDefinition[] = [
  ...sessionEvents,
  ...promptEvents,
  ...jobEvents,
  ...permissionEvents,
] as readonly EventDefinition[];

const byType = new Map(definitions.map((definition) => [definition.type, definition]));

/** Every event type with its current data schema (for the API's description of the live stream). */
export const eventDefinitions = (): readonly EventDefinition[] => definitions;

export const currentSchemaVersion = (type: string): number => byType.get(type)?.schemaVersion ?? 1;

/** A decoded stored event: the envelope with typed `data`. */
export type KnownEvent = Omit<Envelope, "type" | "data"> & DomainEvent & { readonly known: true };
/** A stored event whose type or shape this build does not know. Surfaced, never dropped. */
export type UnknownEvent = Envelope & { readonly known: false; readonly problem: string };
export type DecodedEvent = KnownEvent | UnknownEvent;

const decodeEnvelope = Schema.decodeUnknownEither(Envelope);

/** Parses and checks an envelope; throws with a readable message when it is not one. */
export const parseEnvelope = (value: unknown): Envelope => {
  const result = decodeEnvelope(value);
  if (Either.isLeft(result)) {
    throw new Error(`not an event envelope: ${ParseResult.TreeFormatter.formatErrorSync(result.left)}`);
  }
  return result.right;
};

/**
 * Decodes a stored envelope's data by its type, upcasting older schema versions first.
 * Unknown types and data that no longer decodes come back as `known: false` with the reason.
 */
export const decodeEvent = (envelope: Envelope): DecodedEvent => {
  const definition = byType.get(envelope.type);
  if (!definition) return { ...envelope, known: false, problem: `unknown event type ${envelope.type}` };
  let data = envelope.data;
  if (envelope.schemaVersion > definition.schemaVersion) {
    return { ...envelope, known: false, problem: `schemaVersion ${envelope.schemaVersion} is newer than this build` };
  }
  if (envelope.schemaVersion < definition.schemaVersion) {
    if (!definition.upcast) {
      return { ...envelope, known: false, problem: `no upcaster from schemaVersion ${envelope.schemaVersion}` };
    }
    data = definition.upcast(envelope.schemaVersion, data);
  }
  const result = Schema.decodeUnknownEither(definition.data)(data);
  if (Either.isLeft(result)) {
    return { ...envelope, known: false, problem: ParseResult.TreeFormatter.formatErrorSync(result.left) };
  }
  return { ...envelope, data: result.right, known: true } as KnownEvent;
};

/** Checks a new event against its schema before it is written. Throws on a bad shape. */
export const validateNewEvent = (event: { type: string; data: unknown }): void => {
  const definition = byType.get(event.type);
  if (!definition) throw new Error(`cannot write unknown event type ${event.type}`);
  const result = Schema.decodeUnknownEither(definition.data)(event.data);
  if (Either.isLeft(result)) {
    throw new Error(`invalid ${event.type}: ${ParseResult.TreeFormatter.formatErrorSync(result.left)}`);
  }
};
