import { describe, expect, it } from "vitest";
import { claudeDirectoryPath, claudeProjectFolderName } from "../../src/claude/claudeDirectoryPath.ts";

// Java's String.hashCode written the textbook way (sum of c·31^(n-1-i) mod 2^32, signed), to
// check the implementation's bit-twiddling against an independent definition.
const referenceHash = (text: string): bigint => {
  let hash = 0n;
  for (let index = 0; index < text.length; index++) hash = (hash * 31n + BigInt(text.charCodeAt(index))) % 2n ** 32n;
  return hash >= 2n ** 31n ? hash - 2n ** 32n : hash;
};

describe("claudeProjectFolderName", () => {
  // cwd inside the captured history → the folder the real CLI created (fixtures/claude-code/generated).
  it.each([
    ["/home/u/src/work-a", "-home-u-src-work-a"],
    ["/home/u/src/work-b", "-home-u-src-work-b"],
    ["/home/u/src/work", "-home-u-src-work"],
    ["/home/u/src/My_Proj.v2 é", "-home-u-src-My-Proj-v2--"],
  ])("names %s like the real CLI did: %s", (cwd, folder) => {
    expect(claudeProjectFolderName(cwd)).toBe(folder);
  });

  it.each([
    ["/Users/foo/.config/app", "-Users-foo--config-app"],
    ["C:\\Users\\me\\proj", "C--Users-me-proj"],
    ["/a/b~c:d", "-a-b-c-d"],
  ])("replaces every character but ASCII letters and digits: %s", (cwd, folder) => {
    expect(claudeProjectFolderName(cwd)).toBe(folder);
  });

  it("replaces per UTF-16 code unit: an emoji gives two dashes", () => {
    expect(claudeProjectFolderName("/x/😀")).toBe("-x---");
  });

  it("keeps a name of exactly 200 characters whole", () => {
    const cwd = `/${"a".repeat(199)}`;
    expect(claudeProjectFolderName(cwd)).toBe(`-${"a".repeat(199)}`);
  });

  it("cuts a longer name to 200 characters plus the base-36 hash of the original path", () => {
    const cwd = `/home/u/src/${"deep_folder.name/".repeat(15)}end`;
    expect(cwd.length).toBe(270);
    const name = claudeProjectFolderName(cwd);
    const suffix = (referenceHash(cwd) < 0n ? -referenceHash(cwd) : referenceHash(cwd)).toString(36);
    expect(name).toBe(`${cwd.replace(/[^a-zA-Z0-9]/g, "-").slice(0, 200)}-${suffix}`);
  });

  it("gives different folders to long paths that differ only after character 200", () => {
    const base = `/${"x".repeat(250)}`;
    expect(claudeProjectFolderName(`${base}/one`)).not.toBe(claudeProjectFolderName(`${base}/two`));
  });
});

describe("claudeDirectoryPath", () => {
  it("puts the project folder under <config dir>/projects", () => {
    expect(claudeDirectoryPath("/home/u/.claude", "/home/u/src/work-a")).toBe("/home/u/.claude/projects/-home-u-src-work-a");
  });

  it("NFC-normalises the config root as the CLI does", () => {
    const decomposed = "/home/cafe\u0301/.claude";
    expect(claudeDirectoryPath(decomposed, "/p")).toBe("/home/caf\u00e9/.claude/projects/-p");
  });
});
