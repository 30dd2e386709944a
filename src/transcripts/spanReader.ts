import type { FileHandle } from "node:fs/promises";
import { readRange } from "./lineReader.ts";

/**
 * Reads the bodies of a page of indexed lines with as few reads as possible: lines close
 * together form one span, read at once and sliced (awaiting one read per line cost a 2 MB
 * session 372 round trips through the threadpool). A gap wider than `maxGap` (a branch that is
 * not on the page, a huge line) starts a new span, so a span never drags in much unwanted data;
 * lines over the size limit are never read.
 */
export type SpanLine = { readonly lineNo: number; readonly offset: number; readonly length: number; readonly kind: string };
export type Span = { readonly offset: number; readonly length: number; readonly lines: readonly SpanLine[] };

export const MAX_SPAN_GAP = 64 * 1024;
const MAX_SPAN_BYTES = 16 * 1024 * 1024;

/** Groups lines (in file order) into spans; truncated lines are left out. */
export const planSpans = (lines: readonly SpanLine[], maxGap = MAX_SPAN_GAP): Span[] => {
  const spans: Span[] = [];
  let current: { offset: number; end: number; lines: SpanLine[] } | undefined;
  for (const line of lines) {
    if (line.kind === "truncated") continue;
    const end = line.offset + line.length;
    if (current !== undefined && line.offset - current.end <= maxGap && end - current.offset <= MAX_SPAN_BYTES) {
      current.end = Math.max(current.end, end);
      current.lines.push(line);
      continue;
    }
    if (current !== undefined) spans.push({ offset: current.offset, length: current.end - current.offset, lines: current.lines });
    current = { offset: line.offset, end, lines: [line] };
  }
  if (current !== undefined) spans.push({ offset: current.offset, length: current.end - current.offset, lines: current.lines });
  return spans;
};

/** The bytes of each line by line number (a line the file no longer holds whole comes out short). */
export const readSpans = async (handle: FileHandle, lines: readonly SpanLine[]): Promise<Map<number, Buffer>> => {
  const bodies = new Map<number, Buffer>();
  for (const span of planSpans(lines)) {
    const bytes = await readRange(handle, span.offset, span.length);
    for (const line of span.lines) {
      const start = line.offset - span.offset;
      bodies.set(line.lineNo, bytes.subarray(start, Math.min(bytes.length, start + line.length)));
    }
  }
  return bodies;
};
