import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcriptFilesAt } from "../../src/transcripts/changedFiles.ts";
import type { SkipReason } from "../../src/transcripts/paths.ts";

/** What a watch event's paths name, on a real folder laid out as CLI 2.0 and 2.1 write it. */
describe("the transcripts a watch event names", () => {
  let home: string;
  let projects: string;
  const sid = "11111111-2222-4333-8444-555555555555";

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "ccm-changed-"));
    await mkdir(join(home, "projects", "-w", sid, "subagents", "workflows", "wf"), { recursive: true });
    projects = await realpath(join(home, "projects"));
    await writeFile(join(projects, "-w", `${sid}.jsonl`), "{}\n");
    await writeFile(join(projects, "-w", "agent-a0ec1a2.jsonl"), "{}\n");
    await writeFile(join(projects, "-w", sid, "subagents", "workflows", "wf", "agent-a58f.jsonl"), "{}\n");
    await writeFile(join(projects, "-w", sid, "subagents", "workflows", "wf", "agent-a58f.meta.json"), JSON.stringify({ toolUseId: "toolu_1" }));
    await writeFile(join(home, "outside.jsonl"), "{}\n");
    await symlink(join(home, "outside.jsonl"), join(projects, "-w", "escape.jsonl"));
  });
  afterAll(async () => rm(home, { recursive: true, force: true }));

  it("classifies session, 2.0 agent and nested 2.1 agent transcripts as the listing does; a meta file names its transcript", async () => {
    const nested = join("-w", sid, "subagents", "workflows", "wf");
    const { refs } = await transcriptFilesAt(home, [`-w/${sid}.jsonl`, "-w/agent-a0ec1a2.jsonl", join(nested, "agent-a58f.meta.json")], () => {});
    expect(refs).toEqual([
      { path: join(projects, "-w", `${sid}.jsonl`), projectDir: "-w", kind: "main" },
      { path: join(projects, "-w", "agent-a0ec1a2.jsonl"), projectDir: "-w", kind: "agent", agentId: "a0ec1a2" },
      { path: join(projects, nested, "agent-a58f.jsonl"), projectDir: "-w", kind: "agent", agentId: "a58f", toolUseId: "toolu_1" },
    ]);
  });

  it("names nothing for folders, other files and bad names; reports a symlink leaving the folder; keeps a gone file as a candidate", async () => {
    const skipped: Array<[string, SkipReason]> = [];
    const found = await transcriptFilesAt(home, ["-w", `-w/${sid}`, `-w/${sid}/subagents`, "-w/notes.txt", "-w/../x.jsonl", "-w/escape.jsonl", "-w/gone.jsonl"], (path, reason) => skipped.push([path, reason]));
    expect(found).toEqual({ refs: [], candidates: [join(projects, "-w", "gone.jsonl")] });
    expect(skipped).toEqual([[join(home, "projects", "-w", "escape.jsonl"), "symlink_escape"]]);
  });
});
