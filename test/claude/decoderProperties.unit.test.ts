import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLineSplitter, isOversized, type SplitLine } from "../../src/claude/lineSplitter.ts";
import { decodeLine } from "../../src/claude/streamJson.ts";
import { nonEmptyLines, realFixtures, streamFixtures } from "./decoderFixtures.ts";

const corpusLines = [...streamFixtures(), ...realFixtures()].flatMap((f) => nonEmptyLines(f.text));
const streamText = streamFixtures().map((f) => f.text).join("");
const streamBytes = Buffer.from(streamText);

const splitAt = (bytes: Buffer, cuts: number[]): Buffer[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
};

const runSplitter = (chunks: Buffer[], maxLineBytes?: number): SplitLine[] => {
  const splitter = createLineSplitter(maxLineBytes === undefined ? {} : { maxLineBytes, headBytes: 16 });
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
};

describe("decodeLine never throws", () => {
  it("on random strings, and anything that is not a JSON object with a string type is invalid", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: "binary" })), (text) => {
        const decoded = decodeLine(text);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return decoded.kind === "invalid";
        }
        const typed = typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === "string";
        return typed ? decoded.kind !== "invalid" || /without/.test(decoded.reason) : decoded.kind === "invalid";
      }),
      { numRuns: 2000 },
    );
  });

  it("on real lines cut short: a truncated line is invalid, not a crash", () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpusLines), fc.double({ min: 0, max: 1, noNaN: true }), (line, fraction) => {
        const cut = line.slice(0, Math.floor((line.length - 1) * fraction));
        expect(decodeLine(cut).kind).toBe("invalid");
      }),
      { numRuns: 2000 },
    );
  });

  it("on random JSON objects that carry a known type", () => {
    const known = fc.constantFrom("system", "assistant", "user", "result", "stream_event", "control_request", "control_response");
    fc.assert(
      fc.property(known, fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue(), (type, extra, message) => {
        const line = JSON.stringify({ ...extra, type, message, event: message, request: message, response: message });
        const decoded = decodeLine(line);
        expect(JSON.parse(JSON.stringify(decoded.raw))).toEqual(JSON.parse(line));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("createLineSplitter", () => {
  it("yields the same lines wherever the chunk boundaries fall", () => {
    const expected = nonEmptyLines(streamText);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 200 }), (cuts) => {
        expect(runSplitter(splitAt(streamBytes, cuts))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("splits inside multi-byte characters without corrupting them", () => {
    const text = '{"type":"x","t":"é€😀"}\n'.repeat(5);
    const bytes = Buffer.from(text);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (cuts) => {
        expect(runSplitter(splitAt(bytes, cuts))).toEqual(nonEmptyLines(text));
      }),
    );
  });

  it("flushes a last line that has no newline", () => {
    expect(runSplitter([Buffer.from('{"a":1}\n{"b":'), Buffer.from("2}")])).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("reports an oversized line by size and hash without holding it, and goes on", () => {
    const huge = "x".repeat(5000);
    const bytes = Buffer.from(`{"a":1}\n${huge}\n{"b":2}\n`);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 50 }), (cuts) => {
        const out = runSplitter(splitAt(bytes, cuts), 1000);
        expect(out).toHaveLength(3);
        expect(out[0]).toBe('{"a":1}');
        expect(out[2]).toBe('{"b":2}');
        const big = out[1];
        expect(big !== undefined && isOversized(big) && big).toEqual({
          oversized: true,
          originalBytes: 5000,
          sha256: createHash("sha256").update(huge).digest("hex"),
          head: "x".repeat(16),
        });
      }),
      { numRuns: 200 },
    );
  });

  it("keeps memory bounded: a 50 MB line fed in 64 KB chunks is never accumulated", () => {
    const splitter = createLineSplitter({ maxLineBytes: 1024 * 1024 });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    for (let i = 0; i < 800; i++) {
      expect(splitter.push(chunk)).toEqual([]);
      if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    const [line] = splitter.push(Buffer.from("\n"));
    expect(line).toMatchObject({ oversized: true, originalBytes: 800 * 64 * 1024 });
    expect(peak - before).toBeLessThan(8 * 1024 * 1024);
  });
});
