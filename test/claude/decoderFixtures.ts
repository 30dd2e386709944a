import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Real CLI captures (see /work/shared/fixtures/claude-code/MANIFEST.md). */
export const fixturesRoot = process.env.CCM_CLAUDE_FIXTURES ?? "/work/shared/fixtures/claude-code";

export type Fixture = { readonly name: string; readonly path: string; readonly text: string };

const load = (dir: string, keep: (file: string) => boolean): Fixture[] =>
  readdirSync(dir)
    .filter(keep)
    .sort()
    .map((file) => ({ name: file, path: join(dir, file), text: readFileSync(join(dir, file), "utf8") }));

/** Every stdout capture of `--output-format stream-json` (2.1.331 and 2.0.77). */
export const streamFixtures = (): Fixture[] =>
  ["cli-2.1.331", "cli-2.0.77"].flatMap((version) =>
    load(join(fixturesRoot, "generated", version, "stream"), (file) => file.endsWith(".stdout.jsonl")),
  );

/** Files in real/: all of them turned out to be on-disk history transcripts, not stream-json. */
export const realFixtures = (): Fixture[] => load(join(fixturesRoot, "real"), (file) => file.endsWith(".jsonl"));

export const nonEmptyLines = (text: string): string[] => text.split("\n").filter((line) => line.length > 0);
