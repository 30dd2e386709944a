import { createLineSplitter, type LineSplitterOptions, type SplitLine } from "./lineSplitter.ts";
import { decodeLine, type DecodedLine, type InvalidLine } from "./streamJson.ts";

/**
 * Glue for consumers of a whole stream (runner, `ccm decode`): splitter → decodeLine, plus the
 * counts that tell an operator how well the decoder understood a run.
 */
export type DecodeSummary = {
  /** Non-empty lines seen (decoded + unknown + invalid). */
  readonly lines: number;
  /** Lines decoded into a known kind (opaque system subtypes included). */
  readonly decoded: number;
  /** Lines with a `type` we do not know. */
  readonly unknown: number;
  /** Non-JSON, typeless, oversized, or missing a field we rely on. */
  readonly invalid: number;
  /** `result` frames: one per turn, so more than one per process is normal. */
  readonly results: number;
};

export type DecodeCounters = {
  readonly record: (line: DecodedLine) => void;
  readonly summary: () => DecodeSummary;
};

export const createDecodeCounters = (): DecodeCounters => {
  let lines = 0;
  let decoded = 0;
  let unknown = 0;
  let invalid = 0;
  let results = 0;
  return {
    record: (line) => {
      lines += 1;
      if (line.kind === "invalid") invalid += 1;
      else if (line.kind === "unknown") unknown += 1;
      else decoded += 1;
      if (line.kind === "result") results += 1;
    },
    // Key order is the `ccm decode` summary line's format: keep it.
    summary: () => ({ lines, decoded, unknown, invalid, results }),
  };
};

export type OversizedInvalidLine = InvalidLine & { readonly originalBytes: number; readonly sha256: string };

/** Decodes one splitter item; an oversized line is `invalid` with its size and hash. */
export const decodeSplitLine = (item: SplitLine): DecodedLine => {
  if (typeof item === "string") return decodeLine(item);
  const line: OversizedInvalidLine = {
    kind: "invalid",
    reason: `line over the size limit (${item.originalBytes} bytes)`,
    raw: item.head,
    originalBytes: item.originalBytes,
    sha256: item.sha256,
  };
  return line;
};

/** Decodes a byte stream line by line, counting as it goes; never throws on content. */
export async function* decodeStream(
  input: AsyncIterable<Uint8Array | string>,
  counters: DecodeCounters = createDecodeCounters(),
  options: LineSplitterOptions = {},
): AsyncGenerator<DecodedLine> {
  const splitter = createLineSplitter(options);
  for await (const chunk of input) {
    for (const item of splitter.push(chunk)) {
      const line = decodeSplitLine(item);
      counters.record(line);
      yield line;
    }
  }
  for (const item of splitter.end()) {
    const line = decodeSplitLine(item);
    counters.record(line);
    yield line;
  }
}
