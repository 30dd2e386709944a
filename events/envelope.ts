import { createHash } from "node:crypto";
import { Schema } from "effect";

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

/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped. The same
 * value always encodes to the same bytes, whatever order its keys were built in.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      out += (index === 0 ? "" : ",") + (item === undefined ? "null" : canonicalJson(item));
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = "{";
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
};

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
      readonly reason: "hash_mismatch" | "prev_hash_mismatch" | "version_gap" | "wrong_session";
    };

/**
 * Verifies a session's chain in version order: versions contiguous from 1, each `prevHash`
 * equal to the previous event's `hash`, and each `hash` equal to the hash of its content.
 * Names the first event that breaks it.
 */
export const verifyChain = (sessionId: string, envelopes: readonly Envelope[]): ChainVerdict => {
  let prevHash = GENESIS_HASH;
  for (const [index, envelope] of envelopes.entries()) {
    const expectedVersion = index + 1;
    const bad = (reason: Extract<ChainVerdict, { ok: false }>["reason"]): ChainVerdict => ({
      ok: false,
      events: envelopes.length,
      firstBadVersion: expectedVersion,
      reason,
    });
    if (envelope.sessionId !== sessionId) return bad("wrong_session");
    if (envelope.version !== expectedVersion) return bad("version_gap");
    if (envelope.prevHash !== prevHash) return bad("prev_hash_mismatch");
    if (hashEnvelope(envelope) !== envelope.hash) return bad("hash_mismatch");
    prevHash = envelope.hash;
  }
  return { ok: true, events: envelopes.length };
};
