import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  // alpha and beta exist already (plain folders). gamma is a git repository on main; delta a
  // worktree whose .git file points at its git folder, on a feature branch; epsilon has a
  // detached HEAD. Hidden folders, files and links are not repositories.
  const git = (folder: string, head: string) => {
    mkdirSync(join(folder, ".git"), { recursive: true });
    writeFileSync(join(folder, ".git", "HEAD"), head);
  };
  git(join(t.root, "gamma"), "ref: refs/heads/main\n");
  mkdirSync(join(t.root, "delta"));
  mkdirSync(join(t.scratch, "delta-git"));
  writeFileSync(join(t.scratch, "delta-git", "HEAD"), "ref: refs/heads/feature/login\n");
  writeFileSync(join(t.root, "delta", ".git"), `gitdir: ${join(t.scratch, "delta-git")}\n`);
  git(join(t.root, "epsilon"), "3f2a9c1d0e4b5a6978c1d2e3f4a5b6c7d8e9f0a1\n");
  mkdirSync(join(t.root, ".hidden"));
  writeFileSync(join(t.root, "notes.txt"), "not a folder");
  symlinkSync("/etc", join(t.root, "outside"));
});
afterAll(async () => t.close());

const list = async (query = "") => {
  const response = await t.app.inject({ method: "GET", url: `/api/claude-code/repositories${query}`, headers: t.auth });
  expect(response.statusCode).toBe(200);
  return response.json() as { repositories: { name: string; path: string; isGit: boolean; branch: string | null; lastModified: string }[]; total: number };
};

describe("GET /api/claude-code/repositories", () => {
  it("lists the folders of the repositories folder by name, with git and branch", async () => {
    const { repositories, total } = await list();
    expect(total).toBe(5);
    expect(repositories.map((repository) => [repository.name, repository.isGit, repository.branch])).toEqual([
      ["alpha", false, null], ["beta", false, null], ["delta", true, "feature/login"], ["epsilon", true, null], ["gamma", true, "main"],
    ]);
    expect(repositories[0]).toMatchObject({ path: join(t.root, "alpha"), lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it("pages", async () => {
    const page = await list("?limit=2&offset=2");
    expect(page.total).toBe(5);
    expect(page.repositories.map((repository) => repository.name)).toEqual(["delta", "epsilon"]);
  });

  it("needs a token", async () => {
    expect((await t.app.inject({ method: "GET", url: "/api/claude-code/repositories" })).statusCode).toBe(401);
  });
});
