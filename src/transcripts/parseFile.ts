import { createEnvelopeScanner, type EnvelopeScanner } from "./envelopeScanner.ts";
import { decodeTranscriptLine, MESSAGE_TYPES, type TranscriptLine } from "./decodeLine.ts";
import { DEFAULT_MAX_LINE_BYTES, readLines, type RawLine } from "./lineReader.ts";

/**
 * A line over the size limit: its body was never loaded, but its top-level envelope was scanned
 * as it streamed by, so it can still take its place in the conversation graph.
 */
export type TruncatedLine = {
  readonly kind: "truncated";
  readonly bytes: number;
  readonly type?: string;
  readonly uuid?: string;
  readonly parentUuid: string | null;
  readonly isSidechain: boolean;
  readonly sessionId?: string;
  readonly timestamp?: string;
};

export type FileLine = {
  readonly lineNo: number;
  readonly offset: number;
  readonly length: number;
  readonly line: TranscriptLine | TruncatedLine;
};

export type LineCounts = {
  lines: number;
  messages: number;
  invalid: number;
  unknown: number;
  truncated: number;
  /** A trailing line without its newline (still being written). Not counted as invalid. */
  partial: number;
};

export type ParsedFile = { readonly path: string; readonly lines: FileLine[]; readonly counts: LineCounts };

export const emptyCounts = (): LineCounts => ({ lines: 0, messages: 0, invalid: 0, unknown: 0, truncated: 0, partial: 0 });

const fieldString = (fields: Record<string, unknown>, key: string): string | undefined => {
  const value = fields[key];
  return typeof value === "string" && value.length > 0 ? value : undefined;
};

export const truncatedFromScan = (scanner: EnvelopeScanner | undefined, bytes: number): TruncatedLine => {
  const fields = scanner?.result().fields ?? {};
  const line: Record<string, unknown> = {
    kind: "truncated",
    bytes,
    parentUuid: fieldString(fields, "parentUuid") ?? null,
    isSidechain: fields["isSidechain"] === true,
  };
  for (const key of ["type", "uuid", "sessionId", "timestamp"]) {
    const value = fieldString(fields, key);
    if (value !== undefined) line[key] = value;
  }
  return line as TruncatedLine;
};

export const countLine = (counts: LineCounts, line: TranscriptLine | TruncatedLine): void => {
  counts.lines++;
  if (line.kind === "invalid") counts.invalid++;
  else if (line.kind === "unknown") counts.unknown++;
  else if (line.kind === "truncated") {
    counts.truncated++;
    if (line.type !== undefined && MESSAGE_TYPES.has(line.type) && line.uuid !== undefined) counts.messages++;
  } else if (line.kind !== "summary" && line.kind !== "other") counts.messages++;
};

/**
 * Streams and decodes the complete lines of `[start, end)`; oversize lines come out truncated
 * with their scanned envelope. Returns the offset just past the last complete line.
 */
export const decodeLines = async (
  path: string,
  onLine: (offset: number, length: number, line: TranscriptLine | TruncatedLine) => void,
  options: { start?: number; end?: number; maxLineBytes?: number; onPartial?: () => void } = {},
): Promise<number> => {
  const scanners = new Map<number, EnvelopeScanner>();
  const onOversizeChunk = (chunk: Buffer, lineOffset: number): void => {
    let scanner = scanners.get(lineOffset);
    if (scanner === undefined) scanners.set(lineOffset, (scanner = createEnvelopeScanner()));
    scanner.feed(chunk);
  };
  const onRaw = (raw: RawLine): void => {
    if (!raw.complete) {
      options.onPartial?.();
      return;
    }
    const line =
      raw.bytes === undefined ? truncatedFromScan(scanners.get(raw.offset), raw.length) : decodeTranscriptLine(raw.bytes);
    scanners.delete(raw.offset);
    onLine(raw.offset, raw.length, line);
  };
  const range = { maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, onOversizeChunk };
  return readLines(path, onRaw, {
    ...range,
    ...(options.start === undefined ? {} : { start: options.start }),
    ...(options.end === undefined ? {} : { end: options.end }),
  });
};

/** Parses a whole file (diagnostics, `ccm history show`, tests). Never throws on content. */
export const parseTranscriptFile = async (path: string, options: { maxLineBytes?: number } = {}): Promise<ParsedFile> => {
  const lines: FileLine[] = [];
  const counts = emptyCounts();
  await decodeLines(
    path,
    (offset, length, line) => {
      countLine(counts, line);
      lines.push({ lineNo: lines.length, offset, length, line });
    },
    { ...options, onPartial: () => counts.partial++ },
  );
  return { path, lines, counts };
};
