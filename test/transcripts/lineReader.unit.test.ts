import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLines, type RawLine } from "../../src/transcripts/lineReader.ts";
import { parseTranscriptFile } from "../../src/transcripts/parseFile.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ccm-lines-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const collect = async (content: string | Buffer, options: Parameters<typeof readLines>[2] = {}) => {
  const path = join(dir, `f${Math.random()}.jsonl`);
  await writeFile(path, content);
  const lines: RawLine[] = [];
  const committed = await readLines(path, (line) => lines.push(line), options);
  return { lines, committed, text: lines.map((l) => l.bytes?.toString() ?? null) };
};

describe("streaming line reader", () => {
  it("splits on newlines across chunk boundaries and skips empty lines", async () => {
    const { text, lines } = await collect('{"a":1}\n\n{"b":22}\n{"c":333}\n', { chunkBytes: 3 });
    expect(text).toEqual(['{"a":1}', '{"b":22}', '{"c":333}']);
    expect(lines.map((l) => l.offset)).toEqual([0, 9, 18]);
  });

  it("reports a trailing line without newline as incomplete and does not commit past it", async () => {
    const { lines, committed } = await collect('{"a":1}\n{"b":', { chunkBytes: 4 });
    expect(lines.at(-1)).toMatchObject({ complete: false, offset: 8, length: 5 });
    expect(committed).toBe(8);
  });

  it("drops the body of a line over the limit but keeps its position and length", async () => {
    const huge = `{"type":"user","uuid":"u1","pad":"${"x".repeat(100_000)}"}`;
    const seen: number[] = [];
    const { lines } = await collect(`{"a":1}\n${huge}\n{"b":2}\n`, { maxLineBytes: 1000, chunkBytes: 4096, onOversizeChunk: (c) => seen.push(c.length) });
    expect(lines.map((l) => [l.bytes === undefined, l.length])).toEqual([[false, 7], [true, huge.length], [false, 7]]);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(huge.length);
  });

  it("reads a byte range only", async () => {
    const { text } = await collect('{"a":1}\n{"b":2}\n{"c":3}\n', { start: 8, end: 16 });
    expect(text).toEqual(['{"b":2}']);
  });
});

describe("parseTranscriptFile", () => {
  it("counts invalid UTF-8, non-JSON and unknown lines and goes on", async () => {
    const path = join(dir, "mixed.jsonl");
    const bad = Buffer.from([0x7b, 0x22, 0x74, 0xff, 0xfe, 0x22, 0x7d]);
    await writeFile(path, Buffer.concat([
      Buffer.from('{"type":"user","uuid":"u1","parentUuid":null,"message":{"role":"user","content":"hi"}}\n'),
      bad, Buffer.from("\nnot json at all\n"),
      Buffer.from('{"type":"brand-new-thing","x":1}\n{"type":"summary","summary":"S","leafUuid":"u1"}\n'),
      Buffer.from('{"type":"user","uuid":"u2","parentUuid":"u1","message":{"role":"user","content":"half'),
    ]));
    const parsed = await parseTranscriptFile(path);
    expect(parsed.counts).toEqual({ lines: 5, messages: 1, invalid: 2, unknown: 1, truncated: 0, partial: 1 });
    expect(parsed.lines.map((l) => l.line.kind)).toEqual(["user", "invalid", "invalid", "unknown", "summary"]);
  });

  it("scans the envelope of a huge line so it still has a uuid and parent", async () => {
    const path = join(dir, "huge.jsonl");
    const huge = JSON.stringify({ parentUuid: "p1", type: "assistant", message: { content: [{ type: "text", text: "y\"\\{".repeat(300_000) }] }, uuid: "h1", timestamp: "2026-01-01T00:00:00Z" });
    await writeFile(path, huge + "\n");
    const parsed = await parseTranscriptFile(path, { maxLineBytes: 64 * 1024 });
    expect(parsed.lines[0]?.line).toMatchObject({ kind: "truncated", type: "assistant", uuid: "h1", parentUuid: "p1", timestamp: "2026-01-01T00:00:00Z" });
    expect(parsed.counts).toMatchObject({ truncated: 1, messages: 1, invalid: 0 });
  });
});
