import { createHash, type Hash } from "node:crypto";

/**
 * Splits a byte stream (the CLI's stdout, a tailed file) into lines. A partial trailing line is
 * kept until its `\n` arrives (or `end()`), so chunk boundaries never matter. A line longer than
 * `maxLineBytes` is not accumulated: it is hashed as it streams past and reported as an
 * `OversizedLine` with its first `headBytes` bytes, so memory stays bounded whatever the CLI
 * prints. Empty lines are skipped.
 */
export type OversizedLine = {
  readonly oversized: true;
  readonly originalBytes: number;
  /** Hex sha256 of the whole line (without its `\n`). */
  readonly sha256: string;
  /** The first `headBytes` bytes decoded as UTF-8 (a split character becomes U+FFFD). */
  readonly head: string;
};

export type SplitLine = string | OversizedLine;

export type LineSplitter = {
  /** Returns the lines completed by this chunk. */
  readonly push: (chunk: Uint8Array | string) => SplitLine[];
  /** Flushes a final line that had no trailing `\n`. */
  readonly end: () => SplitLine[];
};

export type LineSplitterOptions = { readonly maxLineBytes?: number; readonly headBytes?: number };

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

type Overflow = { hash: Hash; bytes: number; head: Buffer };

export const isOversized = (line: SplitLine): line is OversizedLine => typeof line !== "string";

export const createLineSplitter = (options: LineSplitterOptions = {}): LineSplitter => {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const headBytes = Math.min(options.headBytes ?? 1024, maxLineBytes);
  let parts: Buffer[] = [];
  let partBytes = 0;
  let overflow: Overflow | undefined;

  const startOverflow = (segments: readonly Buffer[]): void => {
    const hash = createHash("sha256");
    let bytes = 0;
    for (const segment of segments) {
      hash.update(segment);
      bytes += segment.length;
    }
    const head = Buffer.concat(segments as Buffer[], Math.min(headBytes, bytes)).subarray(0, headBytes);
    overflow = { hash, bytes, head: Buffer.from(head) };
    parts = [];
    partBytes = 0;
  };

  const feedOverflow = (segment: Buffer): void => {
    if (overflow === undefined) return;
    overflow.hash.update(segment);
    overflow.bytes += segment.length;
  };

  const takeOverflow = (): OversizedLine => {
    const done = overflow as Overflow;
    overflow = undefined;
    return { oversized: true, originalBytes: done.bytes, sha256: done.hash.digest("hex"), head: done.head.toString("utf8") };
  };

  /** Keeps bytes of a line whose end has not arrived yet (copied: the chunk may be reused). */
  const keepPartial = (segment: Buffer): void => {
    if (segment.length === 0) return;
    if (overflow !== undefined) return feedOverflow(segment);
    if (partBytes + segment.length > maxLineBytes) return startOverflow([...parts, segment]);
    parts.push(Buffer.from(segment));
    partBytes += segment.length;
  };

  /** Completes the current line with `chunk[start, end)`. */
  const finishLine = (chunk: Buffer, start: number, end: number, out: SplitLine[]): void => {
    if (overflow !== undefined) {
      feedOverflow(chunk.subarray(start, end));
      out.push(takeOverflow());
      return;
    }
    const total = partBytes + (end - start);
    if (total === 0) return;
    if (total > maxLineBytes) {
      startOverflow([...parts, chunk.subarray(start, end)]);
      out.push(takeOverflow());
      return;
    }
    if (parts.length === 0) {
      out.push(chunk.toString("utf8", start, end));
      return;
    }
    parts.push(chunk.subarray(start, end));
    out.push(Buffer.concat(parts, total).toString("utf8"));
    parts = [];
    partBytes = 0;
  };

  const push = (input: Uint8Array | string): SplitLine[] => {
    const chunk = typeof input === "string" ? Buffer.from(input) : Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const out: SplitLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      finishLine(chunk, start, nl, out);
      start = nl + 1;
    }
    keepPartial(chunk.subarray(start));
    return out;
  };

  const end = (): SplitLine[] => {
    const out: SplitLine[] = [];
    if (overflow !== undefined || partBytes > 0) finishLine(Buffer.alloc(0), 0, 0, out);
    return out;
  };

  return { push, end };
};
