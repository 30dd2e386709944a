import { cp, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const FIXTURES = join(import.meta.dirname, "../../../shared/fixtures/claude-code");

/** Every transcript file of the fixtures, with the CLI version folder it came from. */
export const fixtureTranscriptFiles = async (): Promise<Array<{ path: string; real: boolean }>> => {
  const found: Array<{ path: string; real: boolean }> = [];
  const walk = async (dir: string, real: boolean): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, real);
      else if (entry.name.endsWith(".jsonl")) found.push({ path, real });
    }
  };
  await walk(join(FIXTURES, "real"), true);
  for (const version of await readdir(join(FIXTURES, "generated"), { withFileTypes: true })) {
    if (!version.isDirectory()) continue;
    for (const folder of await readdir(join(FIXTURES, "generated", version.name))) {
      if (folder.startsWith("projects")) await walk(join(FIXTURES, "generated", version.name, folder), false);
    }
  }
  return found;
};

const CLEAR_PARENT = "5bd47723-950c-4c20-917e-77acb15dc4ea";

/**
 * A Claude config folder holding every fixture transcript file in its on-disk layout: the generated
 * `projects*` trees as they are, the real files in a project folder of their own (the 2.1.29
 * prompt-suggestion agent under its session's `subagents/`).
 */
export const buildFixtureHome = async (): Promise<{ dir: string; cleanup: () => Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), "ccm-hist-"));
  const projects = join(dir, "projects");
  await mkdir(projects, { recursive: true });
  for (const version of ["cli-2.1.331", "cli-2.0.77"]) {
    for (const folder of await readdir(join(FIXTURES, "generated", version))) {
      if (folder.startsWith("projects")) await cp(join(FIXTURES, "generated", version, folder), projects, { recursive: true });
    }
  }
  const real = join(projects, "-real");
  await mkdir(join(real, CLEAR_PARENT, "subagents"), { recursive: true });
  for (const name of await readdir(join(FIXTURES, "real"))) {
    if (!name.endsWith(".jsonl")) continue;
    const target = name.includes("__subagents__")
      ? join(real, CLEAR_PARENT, "subagents", `agent-${name.split("__agent-")[1] ?? name}`)
      : name.includes("clear-command__5bd47723")
        ? join(real, `${CLEAR_PARENT}.jsonl`)
        : join(real, name);
    await cp(join(FIXTURES, "real", name), target);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
};
