import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openProjectFolder, type OpenFolder, type ProjectFolder } from "../../src/runner/projectFolder.ts";
import { heldUnder } from "../support/heldDescriptors.ts";

/**
 * Opening a job's project folder: what is refused, and that a process started in the opened
 * folder lands in the directory that was checked, whatever its path names by then.
 */
let base: string;
let repos: string;
let outside: string;
const opened: OpenFolder[] = [];

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "ccm-folders-")));
  repos = join(base, "repos");
  outside = join(base, "outside");
  mkdirSync(join(repos, "app"), { recursive: true });
  mkdirSync(outside);
});
afterEach(() => {
  for (const folder of opened.splice(0)) folder.close();
  rmSync(base, { recursive: true, force: true });
});

const openIn = async (path: string): Promise<ProjectFolder> => {
  const result = await openProjectFolder(path, repos);
  if ("folder" in result) opened.push(result.folder);
  return result;
};

const folderOf = (result: ProjectFolder): OpenFolder => {
  if (!("folder" in result)) throw new Error(`refused: ${result.reason}`);
  return result.folder;
};

/** Where the kernel says a process started in `cwd` works. */
const childCwd = (cwd: string) =>
  spawnSync(process.execPath, ["-e", "process.stdout.write(require('fs').readlinkSync('/proc/self/cwd'))"], { cwd, encoding: "utf8" }).stdout;

describe("openProjectFolder", () => {
  it("opens a folder inside the repositories folder; a process started there works in it; close lets it go", async () => {
    const folder = folderOf(await openIn(join(repos, "app")));
    expect(folder.realPath).toBe(join(repos, "app"));
    expect(childCwd(folder.cwd)).toBe(join(repos, "app"));
    folder.close();
    folder.close();
    expect(heldUnder(base)).toEqual([]);
  });

  it("follows a symlink that stays inside, and reports where it leads", async () => {
    symlinkSync(join(repos, "app"), join(repos, "alias"));
    expect(folderOf(await openIn(join(repos, "alias"))).realPath).toBe(join(repos, "app"));
  });

  it("refuses a symlink to a folder outside", async () => {
    symlinkSync(outside, join(repos, "escape"));
    expect(await openIn(join(repos, "escape"))).toMatchObject({ reason: "project_path_forbidden" });
  });

  it("refuses `..` that climbs out, and the repositories folder itself", async () => {
    expect(await openIn(join(repos, "app", "..", "..", "outside"))).toMatchObject({ reason: "project_path_forbidden" });
    expect(await openIn(`${repos}/app/../..`)).toMatchObject({ reason: "project_path_forbidden" });
    expect(await openIn(repos)).toMatchObject({ reason: "project_path_forbidden" });
  });

  it("refuses a missing folder and a file, and holds nothing open after a refusal", async () => {
    writeFileSync(join(repos, "notes.txt"), "not a folder");
    expect(await openIn(join(repos, "gone"))).toMatchObject({ reason: "project_path_missing" });
    expect(await openIn(join(repos, "notes.txt"))).toMatchObject({ reason: "project_path_missing", message: expect.stringContaining("not a folder") });
    symlinkSync(outside, join(repos, "escape"));
    await openIn(join(repos, "escape"));
    expect(heldUnder(base)).toEqual([]);
  });

  it("a folder swapped for a symlink to outside after the check: the process still starts in the folder that was checked", async () => {
    const path = join(repos, "app");
    const folder = folderOf(await openIn(path));
    renameSync(path, join(repos, "parked"));
    symlinkSync(outside, path);
    expect(realpathSync(path)).toBe(outside);
    expect(childCwd(folder.cwd)).toBe(join(repos, "parked"));
  });
});
