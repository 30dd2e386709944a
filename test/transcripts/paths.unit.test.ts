import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHistory } from "../../src/cli/history.ts";
import { loadSession } from "../../src/transcripts/loadSession.ts";
import { containedPath, isSafeSessionId, listTranscriptFiles, openContained } from "../../src/transcripts/paths.ts";

const line = (sessionId: string) => JSON.stringify({ type: "user", uuid: `u-${sessionId}`, parentUuid: null, sessionId, cwd: "/w", message: { role: "user", content: "hi" } }) + "\n";

describe("transcript path safety", () => {
  let root: string;
  let home: string;
  let outside: string;
  const skipped: Array<[string, string]> = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "ccm-paths-"));
    home = join(root, "claude");
    outside = join(root, "outside");
    const project = join(home, "projects", "-w");
    await mkdir(join(project, "s1", "subagents"), { recursive: true });
    await mkdir(join(outside, "proj"), { recursive: true });
    await writeFile(join(outside, "secret.jsonl"), line("secret"));
    await writeFile(join(outside, "proj", "leak.jsonl"), line("leak"));
    await writeFile(join(project, "s1.jsonl"), line("s1"));
    await writeFile(join(project, `${"l".repeat(249)}.jsonl`), line("long"));
    await symlink(join(outside, "secret.jsonl"), join(project, "evil.jsonl"));
    await symlink(join(outside, "secret.jsonl"), join(project, "s1", "subagents", "agent-evil.jsonl"));
    await symlink(join(outside, "proj"), join(home, "projects", "-escaping-project"));
    await symlink(join(project, "s1.jsonl"), join(project, "alias.jsonl"));
    await symlink(join(outside, "secret.jsonl"), join(project, "dangling-later.jsonl")).then(() => unlink(join(project, "dangling-later.jsonl")));
    await symlink("../../../outside/proj", join(project, "s1", "subagents", "relative-escape"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("never lists a file outside the Claude folder, whatever the symlink", async () => {
    const files = await listTranscriptFiles(home, (path, reason) => skipped.push([path, reason]));
    const paths = files.map((f) => f.path);
    expect(paths.every((p) => p.startsWith(join(home, "projects")))).toBe(true);
    expect(paths.some((p) => p.includes("secret") || p.includes("leak"))).toBe(false);
    expect(skipped.map(([, reason]) => reason)).toEqual(expect.arrayContaining(["symlink_escape"]));
    expect(skipped.length).toBeGreaterThanOrEqual(4);
  });

  it("lists a symlink that stays inside once, under its real path, and keeps very long names", async () => {
    const files = await listTranscriptFiles(home);
    expect(files.filter((f) => f.path.endsWith("/s1.jsonl"))).toHaveLength(1);
    expect(files.some((f) => f.path.endsWith(`${"l".repeat(249)}.jsonl`))).toBe(true);
  });

  it("accepts only plain ids: no '..', separators, NUL or overlong names", () => {
    expect(isSafeSessionId("d46c78b5-542d-408f-9326-a192e7bdae56")).toBe(true);
    for (const bad of ["..", "../s1", "a/b", "a\\b", "a\0b", ".hidden", "", "x".repeat(129), "s1.jsonl"]) {
      expect(isSafeSessionId(bad)).toBe(false);
    }
  });

  it("show refuses traversal ids and finds nothing outside", async () => {
    for (const id of ["../../outside/secret", "..", "secret", "leak", "a\0b", "x".repeat(5000)]) {
      expect(await loadSession({ claudeConfigDir: home }, id)).toBeUndefined();
      const code = await runHistory(["show", id], { db: undefined as never, claudeConfigDir: home, logger: pino({ level: "silent" }), stderr: { write: () => true } as never });
      expect(code).toBe(1);
    }
    expect((await loadSession({ claudeConfigDir: home }, "s1"))?.sessionId).toBe("s1");
  });

  it("refuses to open an indexed file that became a symlink out of the folder", async () => {
    const target = join(home, "projects", "-w", "swap.jsonl");
    await writeFile(target, line("swap"));
    expect(await containedPath(home, target)).toBe(target);
    await unlink(target);
    await symlink(join(outside, "secret.jsonl"), target);
    expect(await openContained(home, target)).toBeUndefined();
    expect(await openContained(home, join(home, "projects", "-w", "s1.jsonl\0"))).toBeUndefined();
    expect(await openContained(home, join(home, "projects", "..", "..", "outside", "secret.jsonl"))).toBeUndefined();
  });
});

describe("a symlinked subagents folder", () => {
  it("is followed only while it stays inside", async () => {
    const root = await mkdtemp(join(tmpdir(), "ccm-sub-"));
    try {
      const project = join(root, "claude", "projects", "-w");
      await mkdir(join(project, "s2"), { recursive: true });
      await mkdir(join(root, "elsewhere"), { recursive: true });
      await writeFile(join(root, "elsewhere", "agent-x.jsonl"), line("s2"));
      await symlink(join(root, "elsewhere"), join(project, "s2", "subagents"));
      const skipped: string[] = [];
      const files = await listTranscriptFiles(join(root, "claude"), (_p, reason) => skipped.push(reason));
      expect(files.filter((f) => f.kind === "agent")).toEqual([]);
      expect(skipped).toContain("symlink_escape");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
