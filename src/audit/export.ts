import { Readable } from "node:stream";
import type { Database } from "../infra/database.ts";
import { eachEventPage, type AuditEvent, type EventFilter } from "./eventsQuery.ts";

export const exportFormats = ["ndjson", "csv"] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const contentTypes: Record<ExportFormat, string> = {
  ndjson: "application/x-ndjson; charset=utf-8",
  csv: "text/csv; charset=utf-8",
};

const csvColumns = [
  "position", "eventId", "sessionId", "version", "type", "schemaVersion", "occurredAt", "actor",
  "correlationId", "causationId", "requestId", "prevHash", "hash", "data",
] as const;

/** RFC 4180: quote a field when it holds a comma, a quote or a line break; double the quotes. */
const csvField = (value: string | number | null): string => {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const csvRow = (event: AuditEvent): string => {
  const { meta } = event;
  const fields = [
    event.position, event.eventId, event.sessionId, event.version, event.type, event.schemaVersion, event.occurredAt, meta.actor,
    meta.correlationId, meta.causationId, meta.requestId, event.prevHash, event.hash, JSON.stringify(event.data ?? null),
  ];
  return `${fields.map(csvField).join(",")}\r\n`;
};

/**
 * NDJSON: one envelope per line, exactly as stored, with its `position` first. Drop
 * `position` and `hash`, encode canonically and SHA-256 it to check a line offline.
 */
const ndjsonLine = (event: AuditEvent): string => `${JSON.stringify(event)}\n`;

/**
 * The matching archived events as text chunks, one chunk per page of the archive: memory
 * stays flat for any size, and a consumer that reads slowly slows the queries down.
 */
export async function* exportChunks(db: Database, filter: EventFilter, format: ExportFormat, pageSize = 2000): AsyncGenerator<string> {
  if (format === "csv") yield `${csvColumns.join(",")}\r\n`;
  const line = format === "csv" ? csvRow : ndjsonLine;
  for await (const page of eachEventPage(db, filter, pageSize)) {
    let chunk = "";
    for (const event of page) chunk += line(event);
    yield chunk;
  }
}

/** The export as a byte stream with backpressure, for an HTTP reply or a pipe to a file. */
export const exportStream = (db: Database, filter: EventFilter, format: ExportFormat): Readable =>
  Readable.from(exportChunks(db, filter, format), { objectMode: false });
