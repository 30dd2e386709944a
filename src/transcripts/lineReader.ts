import type { FileHandle } from "node:fs/promises";
import { openRegularFile } from "../infra/regularFile.ts";

/**
 * Streaming JSONL reader over a byte range of a file. Claude Code appends one JSON object per
 * line, but a live session can leave a partially written last line, and users report single
 * lines of 12.8 million characters. So: large fd reads, newlines found with Buffer.indexOf, and a
 * line longer than `maxLineBytes` is reported as truncated (its bytes are dropped as they stream
 * by, so memory stays bounded) instead of being loaded whole.
 */
export type RawLine = {
  /** Byte offset of the first byte of the line. */
  readonly offset: number;
  /** Length in bytes, without the newline. */
  readonly length: number;
  /** The line's bytes; undefined when the line was longer than the limit. */
  readonly bytes: Buffer | undefined;
  /** False for a trailing line with no newline yet (possibly still being written). */
  readonly complete: boolean;
};

export type ReadLinesOptions = {
  readonly start?: number;
  /** Exclusive end offset; defaults to the file size when the read starts. */
  readonly end?: number;
  readonly maxLineBytes?: number;
  readonly chunkBytes?: number;
  /** Receives every chunk of an oversize line, so its envelope can still be scanned. */
  readonly onOversizeChunk?: (chunk: Buffer, lineOffset: number) => void;
};

export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;
const DEFAULT_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

type Pending = { offset: number; parts: Buffer[]; length: number; oversize: boolean };

/**
 * Calls `onLine` for every line in the range; returns the offset just past the last complete line.
 * `realPath` must be resolved already; a FIFO, socket, device or folder throws NotRegularFileError.
 */
export const readLines = async (
  realPath: string,
  onLine: (line: RawLine) => void,
  options: ReadLinesOptions = {},
): Promise<number> => {
  const handle = await openRegularFile(realPath);
  try {
    return await readLinesFromHandle(handle, onLine, options);
  } finally {
    // Nothing needs to wait for the descriptor to close; an append's scan is latency-bound.
    void handle.close().catch(() => undefined);
  }
};

export const readLinesFromHandle = async (
  handle: FileHandle,
  onLine: (line: RawLine) => void,
  options: ReadLinesOptions = {},
): Promise<number> => {
  const start = options.start ?? 0;
  const end = options.end ?? (await handle.stat()).size;
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  let position = start;
  let committed = start;
  let pending: Pending = { offset: start, parts: [], length: 0, oversize: false };
  while (position < end) {
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, end - position));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break; // the file shrank under us; stop at what we have
    const piece = bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead);
    const result = splitChunk(piece, position, pending, max, onLine, options.onOversizeChunk);
    pending = result.pending;
    committed = result.committed ?? committed;
    position += bytesRead;
  }
  if (pending.length > 0) onLine(finish(pending, false));
  return committed;
};

const splitChunk = (
  chunk: Buffer,
  chunkOffset: number,
  pending: Pending,
  max: number,
  onLine: (line: RawLine) => void,
  onOversize: ReadLinesOptions["onOversizeChunk"],
): { pending: Pending; committed: number | undefined } => {
  let cursor = 0;
  let current = pending;
  let committed: number | undefined;
  for (;;) {
    const newline = chunk.indexOf(NEWLINE, cursor);
    const stop = newline === -1 ? chunk.length : newline;
    append(current, chunk.subarray(cursor, stop), max, onOversize);
    if (newline === -1) return { pending: current, committed };
    if (current.length > 0 || current.oversize) onLine(finish(current, true));
    cursor = newline + 1;
    committed = chunkOffset + cursor;
    current = { offset: committed, parts: [], length: 0, oversize: false };
  }
};

const append = (pending: Pending, piece: Buffer, max: number, onOversize: ReadLinesOptions["onOversizeChunk"]): void => {
  if (piece.length === 0) return;
  pending.length += piece.length;
  if (!pending.oversize && pending.length > max) {
    // Crossing the limit: hand what we had to the envelope scanner, then keep nothing more.
    pending.oversize = true;
    for (const part of pending.parts) onOversize?.(part, pending.offset);
    pending.parts = [];
    onOversize?.(piece, pending.offset);
    return;
  }
  if (pending.oversize) onOversize?.(piece, pending.offset);
  else pending.parts.push(piece);
};

const finish = (pending: Pending, complete: boolean): RawLine => ({
  offset: pending.offset,
  length: pending.length,
  bytes: pending.oversize
    ? undefined
    : pending.parts.length === 1
      ? (pending.parts[0] as Buffer)
      : Buffer.concat(pending.parts, pending.length),
  complete,
});

/** Reads one byte range (a line whose offset and length the index recorded). */
export const readRange = async (handle: FileHandle, offset: number, length: number): Promise<Buffer> => {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
};
