import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyseSession } from "../../src/transcripts/analyseSession.ts";
import { parseTranscriptFile } from "../../src/transcripts/parseFile.ts";
import type { ThreadNode } from "../../src/transcripts/threadNode.ts";
import { branches, buildGraph, mainThread } from "../../src/transcripts/threads.ts";
import { FIXTURES } from "./fixtureHome.ts";

const REAL = ["claude-code-viewer__5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl", "spotter__subagent.jsonl", "happy-cli__1-continue-run-ls-tool.jsonl"];

let dir: string;
const sources: Buffer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ccm-fuzz-"));
  for (const name of REAL) sources.push(await readFile(join(FIXTURES, "real", name)));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let counter = 0;
/** Parses bytes as a history file; asserts the thread invariants a corrupt file must not break. */
const check = async (bytes: Buffer, maxLineBytes: number): Promise<void> => {
  const path = join(dir, `f${counter++}.jsonl`);
  await writeFile(path, bytes);
  const main = await parseTranscriptFile(path, { maxLineBytes });
  const analysis = analyseSession({ main, agents: [] });
  expect(new Set(analysis.mainThread).size).toBe(analysis.mainThread.length);
  for (const branch of analysis.branches) expect(new Set(branch.uuids).size).toBe(branch.uuids.length);
  for (const uuid of analysis.mainThread) expect(analysis.lines.get(uuid)?.env.isSidechain ?? false).toBe(false);
};

const source = fc.integer({ min: 0, max: REAL.length - 1 });
const limit = fc.oneof(fc.constant(8 * 1024 * 1024), fc.integer({ min: 64, max: 20_000 }));

describe("corrupt, truncated and interleaved real files", () => {
  it("any truncation never throws and never yields a cycle", async () => {
    await fc.assert(
      fc.asyncProperty(source, fc.double({ min: 0, max: 1, noNaN: true }), limit, async (i, at, max) => {
        const bytes = sources[i] as Buffer;
        await check(bytes.subarray(0, Math.floor(bytes.length * at)), max);
      }),
      { numRuns: 60 },
    );
  });

  it("any overwritten byte ranges never throw and never yield a cycle", async () => {
    const patch = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) });
    const structural = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.constantFrom(..."\n{}[]\":,\\".split("")).map((c) => Buffer.from(c)) });
    await fc.assert(
      fc.asyncProperty(source, fc.array(fc.oneof(patch, structural), { minLength: 1, maxLength: 12 }), limit, async (i, patches, max) => {
        const bytes = Buffer.from(sources[i] as Buffer);
        for (const p of patches) Buffer.from(p.bytes).copy(bytes, Math.floor(p.at * (bytes.length - 1)));
        await check(bytes, max);
      }),
      { numRuns: 60 },
    );
  });

  it("interleaved partial writes of two writers never throw and never yield a cycle", async () => {
    await fc.assert(
      fc.asyncProperty(source, fc.array(fc.nat(), { minLength: 10, maxLength: 400 }), limit, async (i, choices, max) => {
        const lines = (sources[i] as Buffer).toString("utf8").split("\n").filter(Boolean).map((l) => l + "\n");
        const writers = [lines.filter((_, n) => n % 2 === 0), lines.filter((_, n) => n % 2 === 1)];
        const out: string[] = [];
        let c = 0;
        // Each step: a writer emits a random-sized piece of its current line (a partial write).
        while (writers.some((w) => w.length > 0)) {
          const pick = choices[c++ % choices.length] as number;
          const w = writers[pick % 2]?.length ? writers[pick % 2] : writers[(pick + 1) % 2];
          const head = w?.[0] as string;
          const cut = 1 + (pick % head.length);
          out.push(head.slice(0, cut));
          if (cut >= head.length) w?.shift();
          else w?.splice(0, 1, head.slice(cut));
        }
        await check(Buffer.from(out.join("")), max);
      }),
      { numRuns: 40 },
    );
  });

  it("any parent links, cycles included, give threads without repeats", () => {
    const ids = ["a", "b", "c", "d", "e", "f"];
    const node = fc.record({
      uuid: fc.constantFrom(...ids),
      parentUuid: fc.option(fc.constantFrom(...ids, "missing"), { nil: null }),
      logicalParentUuid: fc.option(fc.constantFrom(...ids), { nil: undefined }),
      type: fc.constantFrom("user", "assistant", "system", "progress"),
      flags: fc.nat({ max: 127 }),
    });
    fc.assert(
      fc.property(fc.array(node, { maxLength: 30 }), (raw) => {
        const nodes = raw.map((n, order) => {
          const { logicalParentUuid, ...rest } = n;
          return (logicalParentUuid === undefined ? { ...rest, order } : { ...rest, logicalParentUuid, order }) as ThreadNode;
        });
        const graph = buildGraph(nodes);
        const thread = mainThread(graph).map((n) => n.uuid);
        expect(new Set(thread).size).toBe(thread.length);
        for (const branch of branches(graph)) expect(new Set(branch.uuids).size).toBe(branch.uuids.length);
      }),
      { numRuns: 500 },
    );
  });
});
