import { once } from "node:events";
import type { ContentBlock } from "../claude/contentBlocks.ts";
import { createDecodeCounters, decodeStream, type DecodeSummary } from "../claude/decodeStream.ts";
import type { DecodedLine } from "../claude/streamJson.ts";

/**
 * `ccm decode [file|-]`: runs captured stream-json through the decoder and prints one JSON line
 * per decoded message, then the summary line `{"lines":N,"decoded":N,"unknown":N,"invalid":N,
 * "results":N}`. Typed values are printed without `raw` (it repeats the input); opaque values
 * (unknown types and subtypes, unknown blocks, invalid lines) keep it, since it is all they have.
 */
export type Summary = DecodeSummary;

const withoutRaw = <T extends { raw?: unknown }>(value: T): Omit<T, "raw"> => {
  const { raw: _raw, ...rest } = value;
  return rest;
};

const viewBlock = (block: ContentBlock): unknown => {
  if (block.type === "unknown") return block;
  if ((block.type === "tool_result" || block.type === "mcp_tool_result") && Array.isArray(block.content)) {
    return { ...withoutRaw(block), content: block.content.map(viewBlock) };
  }
  return withoutRaw(block);
};

export const viewOf = (line: DecodedLine): unknown => {
  switch (line.kind) {
    case "unknown":
    case "invalid":
      return line;
    case "system":
      return line.known ? withoutRaw(line) : line;
    case "assistant":
    case "user":
      return { ...withoutRaw(line), content: line.content.map(viewBlock) };
    case "stream_event":
      if (line.event.type === "content_block_start") {
        return { ...withoutRaw(line), event: { ...line.event, contentBlock: viewBlock(line.event.contentBlock) } };
      }
      return withoutRaw(line);
    default:
      return withoutRaw(line);
  }
};

const write = async (output: NodeJS.WritableStream, text: string): Promise<void> => {
  if (!output.write(text)) await once(output, "drain");
};

export async function runDecode(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<Summary> {
  const counters = createDecodeCounters();
  let batch = "";
  for await (const line of decodeStream(input as AsyncIterable<Uint8Array | string>, counters)) {
    batch += JSON.stringify(viewOf(line)) + "\n";
    // Batching keeps write() calls (and drain waits) off the per-line path.
    if (batch.length >= 64 * 1024) {
      await write(output, batch);
      batch = "";
    }
  }
  const summary = counters.summary();
  await write(output, batch + JSON.stringify(summary) + "\n");
  return summary;
}
