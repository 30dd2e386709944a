import { mkdtemp, open, rm, writeFile, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planSpans, readSpans, type SpanLine } from "../../src/transcripts/spanReader.ts";

/** A file of JSON lines, with the byte range of each line as the index records it. */
const layout = (texts: readonly string[]): { content: string; lines: SpanLine[] } => {
  let offset = 0;
  const lines = texts.map((text, lineNo) => {
    const line = { lineNo, offset, length: Buffer.byteLength(text), kind: text.length > 100_000 ? "truncated" : "user" };
    offset += line.length + 1;
    return line;
  });
  return { content: texts.map((text) => `${text}\n`).join(""), lines };
};

describe("reading a page of indexed lines", () => {
  let dir: string;
  let handle: FileHandle;
  let reads = 0;
  /** The real handle, counting the reads that reach the file. */
  let counting: FileHandle;
  const texts = Array.from({ length: 400 }, (_, i) => JSON.stringify({ type: "user", uuid: `u${i}`, text: "é".repeat(i % 50) }));
  texts.splice(200, 0, JSON.stringify({ type: "user", uuid: "huge", text: "x".repeat(300_000) }));
  const { content, lines } = layout(texts);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ccm-spans-"));
    await writeFile(join(dir, "t.jsonl"), content);
    handle = await open(join(dir, "t.jsonl"));
    counting = new Proxy(handle, {
      get: (target, key) => {
        if (key === "read") return (...args: Parameters<FileHandle["read"]>) => ((reads += 1), target.read(...args));
        const value: unknown = Reflect.get(target, key);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  });
  afterAll(async () => {
    await handle?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reads 200 neighbouring lines with one read, each body exactly its line", async () => {
    reads = 0;
    const page = lines.slice(0, 200);
    const bodies = await readSpans(counting, page);
    expect(reads).toBe(1);
    expect(page.map((line) => bodies.get(line.lineNo)?.toString("utf8"))).toEqual(texts.slice(0, 200));
  });

  it("never reads a line over the size limit, and starts a new span past a wide gap", async () => {
    reads = 0;
    const bodies = await readSpans(counting, lines);
    expect(reads).toBe(2);
    expect(bodies.has(200)).toBe(false);
    expect(bodies.get(399)?.toString("utf8")).toBe(texts[399]);
    expect(planSpans(lines).map((span) => span.lines.length)).toEqual([200, 200]);
  });

  it("keeps a page of a thread whose lines are apart (a branch between them) in one span while the gap is small", () => {
    const sparse = lines.filter((line) => line.lineNo < 200 && line.lineNo % 3 === 0);
    expect(planSpans(sparse)).toHaveLength(1);
    expect(planSpans(sparse, 0)).toHaveLength(sparse.length);
  });
});
