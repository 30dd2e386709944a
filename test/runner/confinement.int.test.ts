import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, realpathSync, symlinkSync } from "node:fs";
import { join, sep } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import type { Envelope } from "../../events/envelope.ts";
import { heldUnder } from "../support/heldDescriptors.ts";
import { createHarness, dataOf, fakeCliPath, type Harness } from "./runnerHarness.ts";

/**
 * The runner's promise that the CLI never starts outside GITHUB_REPOS_DIRECTORY, tested the way
 * it was broken: project folders swapped for symlinks to a folder outside, by another process,
 * while many jobs start at once. Each CLI (the fake one, `PWD`) reports the kernel's idea of
 * its own working folder, so the verdict comes from the child itself.
 */
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp" };
const swapperPath = new URL("../support/folderSwapper.mjs", import.meta.url).pathname;
const SESSIONS = 24;
const PROMPTS_EACH = 6;
const REFUSALS = ["project_path_forbidden", "project_path_missing"];
const ENDS = ["JobCompleted", "JobFailed", "JobCancelled"];

type SwapPair = { path: string; parked: string; link: string };

/**
 * Even sessions have their project folder itself swapped; odd ones a parent of it, with a
 * `proj` folder waiting outside too, so an escape works through either component.
 */
const layFolders = (repos: string, outside: string) => {
  mkdirSync(join(outside, "proj"));
  const pairs: SwapPair[] = [];
  const projectPaths: string[] = [];
  for (let i = 0; i < SESSIONS; i += 1) {
    const path = join(repos, `${i % 2 === 0 ? "p" : "g"}${i}`);
    mkdirSync(path);
    symlinkSync(outside, `${path}.link`);
    pairs.push({ path, parked: `${path}.parked`, link: `${path}.link` });
    projectPaths.push(i % 2 === 0 ? path : join(path, "proj"));
    if (i % 2 === 1) mkdirSync(join(path, "proj"));
  }
  return { pairs, projectPaths };
};

/** The swapper as a process of its own, swapping once this resolves; `stop` ends it and gives its counts. */
const startSwapper = async (pairs: SwapPair[]) => {
  const child = spawn(process.execPath, [swapperPath, JSON.stringify({ pairs, maxCycles: 2_000_000, maxMs: 90_000 })], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = once(child, "exit");
  // It may have stopped on its own bound already: ending its stdin then must not throw.
  child.stdin.on("error", () => {});
  const lines: Record<string, number>[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => lines.push(JSON.parse(line) as Record<string, number>));
  const deadline = Date.now() + 10_000;
  while (lines.length === 0 && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  if (lines.length === 0) throw new Error("the folder swapper did not start");
  return {
    stop: async () => {
      child.stdin.end();
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
      return { cycles: lines.at(-1)?.cycles ?? 0, errors: lines.at(-1)?.errors ?? 0 };
    },
  };
};

const isInside = (root: string, path: string) => path.startsWith(root + sep);

/** Each job by where its CLI ran, or why it did not. */
const tally = (ends: Envelope[], repos: string) => {
  const counts = { ran: 0, refused: 0, outside: [] as string[], other: [] as string[] };
  for (const end of ends) {
    const data = dataOf<{ reason?: string; resultText?: string }>(end);
    const cwd = /^cwd:(.*)$/s.exec(data.resultText ?? "")?.[1];
    if (end.type === "JobCompleted" && cwd !== undefined && isInside(repos, cwd)) counts.ran += 1;
    else if (end.type === "JobCompleted") counts.outside.push(cwd ?? String(data.resultText));
    else if (end.type === "JobFailed" && REFUSALS.includes(data.reason ?? "")) counts.refused += 1;
    else counts.other.push(`${end.type}:${String(data.reason)}`);
  }
  return counts;
};

const runPrompts = async (h: Harness, projectPath: string): Promise<Envelope[]> => {
  const sessionId = randomUUID();
  await h.send(sessionId, { type: "CreateSession", data: { projectPath, claudeDirectoryPath: "", context: null, metadata: {} } });
  const promptIds = new Set<string>();
  for (let i = 0; i < PROMPTS_EACH; i += 1) promptIds.add(await h.enqueue(sessionId, "PWD"));
  const endsOf = (all: Envelope[]) => all.filter((e) => ENDS.includes(e.type) && promptIds.has(String(dataOf(e).promptId)));
  return h.waitForEvents(sessionId, (all) => endsOf(all).length === PROMPTS_EACH && endsOf(all), 50_000);
};

describe("project folder confinement", () => {
  it(`${SESSIONS * PROMPTS_EACH} jobs while their folders are swapped for symlinks out of GITHUB_REPOS_DIRECTORY: no CLI runs outside it`, async () => {
    harness = await createHarness();
    const h = harness;
    const repos = realpathSync(h.tempDir("repos"));
    const outside = realpathSync(h.tempDir("outside"));
    const { pairs, projectPaths } = layFolders(repos, outside);
    await h.startRunner(env, { CLAUDE_CODE_PATH: fakeCliPath, GITHUB_REPOS_DIRECTORY: repos, RUNNER_CONCURRENCY: "6" });
    const swapper = await startSwapper(pairs);
    const started = Date.now();
    let ends: Envelope[];
    let swaps: { cycles: number; errors: number };
    try {
      ends = (await Promise.all(projectPaths.map((path) => runPrompts(h, path)))).flat();
    } finally {
      swaps = await swapper.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    const counts = tally(ends, repos);
    console.info(
      `confinement race: ${ends.length} jobs in ${seconds.toFixed(1)} s, ${swaps.cycles} swap cycles (${swaps.errors} errors); ` +
        `ran inside ${counts.ran}, refused ${counts.refused}, outside ${counts.outside.length}, other ${counts.other.length}`,
    );
    expect(swaps).toMatchObject({ errors: 0 });
    expect(swaps.cycles).toBeGreaterThan(100);
    expect(ends).toHaveLength(SESSIONS * PROMPTS_EACH);
    expect(counts.outside).toEqual([]);
    expect(counts.other).toEqual([]);
    // Refusing every job would also keep `outside` empty: the race must leave jobs that ran.
    expect(counts.ran).toBeGreaterThanOrEqual(10);
    // Every opened project folder was let go once its CLI had started.
    expect(heldUnder(repos)).toEqual([]);
  }, 90_000);
});
