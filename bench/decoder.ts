import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createDecodeCounters, decodeSplitLine } from "../src/claude/decodeStream.ts";
import { createLineSplitter } from "../src/claude/lineSplitter.ts";

/**
 * Decoder throughput: bytes of stream-json per second through splitter + decodeLine, fed in
 * 64 KB chunks like a child's stdout. Target ≥ 100 MB/s. The `JSON.parse only` row is the floor
 * the decoder cannot beat; the gap to it is the decoder's own cost.
 */
const fixturesRoot = process.env.CCM_CLAUDE_FIXTURES ?? "/work/shared/fixtures/claude-code";
const CHUNK = 64 * 1024;
const MB = 1024 * 1024;

const fixtureText = (): string =>
  ["cli-2.1.331", "cli-2.0.77"]
    .map((v) => join(fixturesRoot, "generated", v, "stream"))
    .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith(".stdout.jsonl")).sort().map((f) => readFileSync(join(dir, f), "utf8")))
    .join("");

/** The corpus repeated until it is at least `minBytes`. */
const repeated = (text: string, minBytes: number): Buffer => {
  const one = Buffer.from(text);
  return Buffer.concat(Array.from({ length: Math.ceil(minBytes / one.length) }, () => one));
};

/** A `bytes`-long stream of fixture lines in a seeded pseudo-random order. */
const generated = (text: string, bytes: number): Buffer => {
  const lines = text.split("\n").filter((l) => l.length > 0).map((l) => Buffer.from(`${l}\n`));
  const parts: Buffer[] = [];
  let size = 0;
  let seed = 42;
  while (size < bytes) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const line = lines[seed % lines.length] as Buffer;
    parts.push(line);
    size += line.length;
  }
  return Buffer.concat(parts, size);
};

const decodeAll = (input: Buffer): number => {
  const splitter = createLineSplitter();
  const counters = createDecodeCounters();
  for (let offset = 0; offset < input.length; offset += CHUNK) {
    for (const item of splitter.push(input.subarray(offset, offset + CHUNK))) counters.record(decodeSplitLine(item));
  }
  for (const item of splitter.end()) counters.record(decodeSplitLine(item));
  const summary = counters.summary();
  if (summary.invalid > 0) throw new Error(`bench input produced ${summary.invalid} invalid lines`);
  return summary.lines;
};

/** Parses pre-split lines: the cost of JSON.parse alone, with no splitting or decoding. */
const parseOnly = (lines: readonly string[]): number => {
  let count = 0;
  for (const line of lines) if (JSON.parse(line) !== undefined) count += 1;
  return count;
};

const RUNS = 3;

/** Median of RUNS timed runs: one slow run (GC, a busy neighbour) does not decide the figure. */
const measure = (name: string, bytes: number, run: () => number): Record<string, string | number> => {
  const times: number[] = [];
  let lines = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    lines = run();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const seconds = times.sort((x, y) => x - y)[Math.floor(RUNS / 2)] as number;
  const mbPerSecond = bytes / MB / seconds;
  return {
    case: name,
    inputMB: Math.round(bytes / MB),
    lines,
    "median s": Number(seconds.toFixed(3)),
    "MB/s": Math.round(mbPerSecond),
    target: name.startsWith("JSON.parse") ? "-" : mbPerSecond >= 100 ? ">= 100 ok" : ">= 100 MISSED",
  };
};

export async function benchDecoder(): Promise<Array<Record<string, string | number>>> {
  const text = fixtureText();
  const corpus = repeated(text, 50 * MB);
  const stream = generated(text, 100 * MB);
  decodeAll(repeated(text, 10 * MB)); // warm-up: let the JIT settle before timing
  const streamLines = stream.toString("utf8").split("\n").filter((l) => l.length > 0);
  return [
    measure("fixture corpus x N (splitter + decodeLine)", corpus.length, () => decodeAll(corpus)),
    measure("generated 100 MB stream (splitter + decodeLine)", stream.length, () => decodeAll(stream)),
    measure("JSON.parse only, same 100 MB pre-split (floor)", stream.length, () => parseOnly(streamLines)),
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await benchDecoder());
}
