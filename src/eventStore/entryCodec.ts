import { canonicalJson, unsealEnvelope, type Envelope } from "../../events/envelope.ts";
import { parseEnvelope } from "../../events/registry.ts";

/**
 * The one codec of stream entries. A session stream entry (id `0-<version>`) holds `t` (type),
 * `e` (the hashed body: canonical JSON of the envelope without `hash`) and `h` (the hash); a
 * partition log entry holds `s` (session id), `v` (version), `e` and `h`; a dead letter holds
 * `e` and `h` beside its own fields.
 */
export interface RawEntry {
  readonly entryId: string;
  /** Empty in a session stream entry: the stream is the session. */
  readonly sessionId: string;
  readonly version: number;
  readonly body: string;
  readonly hash: string;
}

export const sessionEntryId = (version: number): string => `0-${version}`;

/** The fields of a stream entry as a record, read in one pass (no JSON parsing). */
export const fieldsOf = (fields: readonly string[]): Readonly<Record<string, string>> => {
  const record: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let index = 0; index + 1 < fields.length; index += 2) record[fields[index] as string] = fields[index + 1] as string;
  return record;
};

/** The raw parts of an event entry; the version comes from `v`, else from a `0-<version>` id. */
export const rawEntryOf = (entryId: string, fields: readonly string[]): RawEntry => {
  const record = fieldsOf(fields);
  const version = record.v !== undefined ? Number(record.v) : Number(entryId.startsWith("0-") ? entryId.slice(2) : Number.NaN);
  return { entryId, sessionId: record.s ?? "", version, body: record.e ?? "", hash: record.h ?? "" };
};

/** The envelope of a raw entry, checked against the envelope schema. Throws on a malformed one. */
export const envelopeOfRaw = (raw: Pick<RawEntry, "body" | "hash">): Envelope => {
  if (raw.body === "") throw new Error("stream entry has no event body");
  return parseEnvelope(unsealEnvelope(raw.body, raw.hash));
};

/** The `e` and `h` fields of an envelope: its hashed body (canonical JSON without `hash`) and its hash. */
export const eventFields = (envelope: Envelope): string[] => {
  const { hash, ...body } = envelope;
  return ["e", canonicalJson(body), "h", hash];
};

export const envelopeOfFields = (entryId: string, fields: readonly string[]): Envelope => envelopeOfRaw(rawEntryOf(entryId, fields));

/**
 * The envelope as JSON (with `hash`) straight from the stored body: appending the hash gives
 * the same object without parsing and re-encoding it for every live client.
 */
export const envelopeJson = (raw: Pick<RawEntry, "body" | "hash">): string =>
  `${raw.body.slice(0, -1)}${raw.body.length > 2 ? "," : ""}"hash":${JSON.stringify(raw.hash)}}`;

/** Whether a raw entry looks like an event at all (a cheap check before fan-out). */
export const isEventEntry = (raw: RawEntry): boolean =>
  raw.sessionId !== "" && Number.isInteger(raw.version) && raw.version >= 1 && raw.body.startsWith("{") && raw.body.endsWith("}");
