import { createHash } from "node:crypto";
// The subpath keeps the process from loading every module of effect (about 30 MB of RSS).
import * as Schema from "effect/Schema";

/** Who caused an event and why: recorded on every event for auditors. */
export const EventMeta = Schema.Struct({
  actor: Schema.String,
  correlationId: Schema.String,
  causationId: Schema.NullOr(Schema.String),
  requestId: Schema.NullOr(Schema.String),
});
export type EventMeta = typeof EventMeta.Type;

/** The stored form of every event. `data` is decoded per type by the registry. */
export const Envelope = Schema.Struct({
  eventId: Schema.String,
  type: Schema.String,
  schemaVersion: Schema.Number,
  sessionId: Schema.String,
  version: Schema.Number,
  occurredAt: Schema.String,
  data: Schema.Unknown,
  meta: EventMeta,
  prevHash: Schema.String,
  hash: Schema.String,
});
export type Envelope = typeof Envelope.Type;
export type UnsealedEnvelope = Omit<Envelope, "hash">;

/** The `prevHash` of a session's first event. */
export const GENESIS_HASH = "0".repeat(64);

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** True when every object inside is plain with its keys already in sorted order. */
const isInCanonicalOrder = (value: unknown): boolean => {
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return value.every(isInCanonicalOrder);
  if (!isPlainObject(value)) return false;
  const record = value as Record<string, unknown>;
  let previous = "";
  for (const key in record) {
    if (key < previous) return false;
    previous = key;
    if (!isInCanonicalOrder(record[key])) return false;
  }
  return true;
};

const encodeSorted = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : encodeSorted(item))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) members.push(`${JSON.stringify(key)}:${encodeSorted(record[key])}`);
  }
  return `{${members.join(",")}}`;
};

/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped. The same
 * value always encodes to the same bytes, whatever order its keys were built in. Values whose
 * keys are already sorted (what the store builds) take the native JSON.stringify path, which
 * gives the same bytes faster.
 */
export const canonicalJson = (value: unknown): string => (isInCanonicalOrder(value) ? (JSON.stringify(value) ?? "null") : encodeSorted(value));

export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

/** SHA-256 over the canonical encoding of the envelope without `hash`. */
export const hashEnvelope = (envelope: UnsealedEnvelope | Envelope): string => {
  const { hash: _ignored, ...rest } = envelope as Envelope;
  return sha256Hex(canonicalJson(rest));
};

/**
 * Seals an envelope and returns the exact bytes that were hashed: they are what the store
 * keeps, so an auditor can check `sha256(body) === hash` without re-encoding anything.
 */
export const sealEnvelope = (envelope: UnsealedEnvelope): { envelope: Envelope; body: string } => {
  const body = canonicalJson(envelope);
  return { envelope: { ...envelope, hash: sha256Hex(body) }, body };
};

/** Rebuilds an envelope from its stored body and hash. */
export const unsealEnvelope = (body: string, hash: string): unknown => ({ ...(JSON.parse(body) as object), hash });

export type ChainVerdict =
  | { readonly ok: true; readonly events: number }
  | {
      readonly ok: false;
      readonly events: number;
      readonly firstBadVersion: number;
      readonly reason: "hash_mismatch" | LinkReason;
    };

/** Where a session's chain ends: the next event must have the next version and this hash as `prevHash`. */
export interface ChainLink {
  readonly version: number;
  readonly hash: string;
}

/** Where every session's chain starts. */
export const GENESIS_LINK: ChainLink = { version: 0, hash: GENESIS_HASH };

type LinkReason = "prev_hash_mismatch" | "version_gap" | "wrong_session";

/** Why `envelope` cannot come right after `previous` in the chain of `sessionId` (its own hash aside), or null. */
export const linkFault = (sessionId: string, previous: ChainLink, envelope: Envelope): LinkReason | null => {
  if (envelope.sessionId !== sessionId) return "wrong_session";
  if (envelope.version !== previous.version + 1) return "version_gap";
  if (envelope.prevHash !== previous.hash) return "prev_hash_mismatch";
  return null;
};

/**
 * Verifies a session's chain in version order: versions contiguous from 1, each `prevHash`
 * equal to the previous event's `hash`, and each `hash` equal to the hash of its content.
 * Names the first event that breaks it.
 */
export const verifyChain = (sessionId: string, envelopes: readonly Envelope[]): ChainVerdict => {
  let previous = GENESIS_LINK;
  for (const envelope of envelopes) {
    const reason = linkFault(sessionId, previous, envelope) ?? (hashEnvelope(envelope) === envelope.hash ? null : "hash_mismatch");
    if (reason) return { ok: false, events: envelopes.length, firstBadVersion: previous.version + 1, reason };
    previous = envelope;
  }
  return { ok: true, events: envelopes.length };
};
