import { describe, expect, it } from "vitest";
import type { Machine } from "../../src/machines/machineRegistry.ts";
import { chooseMachine, machineSummary } from "../../src/http/machinePlacement.ts";
import { confineToPublished } from "../../src/http/projectPath.ts";

const machine = (id: string, online = true): Machine => ({
  id, name: `${id} box`, online, lastSeenAt: "2025-01-01T00:00:00.000Z", cliVersion: "2.0.77", capacity: 2, runningJobs: 0,
  repositories: ["app", "lib"], reposDirectory: `/home/${id}/github`,
});
const own = { MACHINE_ID: "api-host", GITHUB_REPOS_DIRECTORY: "/srv/repos" };
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return "none";
};

describe("chooseMachine", () => {
  it("takes the machine asked for, if a runner registered it (or it is the api's own host)", () => {
    expect(chooseMachine("laptop", [machine("laptop"), machine("desktop")], own)).toBe("laptop");
    expect(chooseMachine("api-host", [machine("laptop")], own)).toBe("api-host");
    expect(codeOf(() => chooseMachine("nowhere", [machine("laptop")], own))).toBe("machine_not_found");
  });
  it("without one: the api's own host when it runs a runner or nothing is registered, else the only machine, else asks", () => {
    expect(chooseMachine(undefined, [], own)).toBe("api-host");
    expect(chooseMachine(undefined, [machine("laptop"), machine("api-host")], own)).toBe("api-host");
    expect(chooseMachine(undefined, [machine("laptop", false)], own)).toBe("laptop");
    expect(codeOf(() => chooseMachine(undefined, [machine("laptop"), machine("desktop")], own))).toBe("machine_required");
  });
});

describe("confineToPublished", () => {
  const laptop = machine("laptop");
  it("accepts a published folder by name or a path inside one", () => {
    expect(confineToPublished(laptop, { folderName: "app" })).toBe("/home/laptop/github/app");
    expect(confineToPublished(laptop, { projectPath: "/home/laptop/github/lib/packages/core" })).toBe("/home/laptop/github/lib/packages/core");
  });
  it("refuses what the machine did not publish, the repositories folder itself, what lies outside, and '..'", () => {
    expect(codeOf(() => confineToPublished(laptop, { folderName: "secret" }))).toBe("path_not_found");
    expect(codeOf(() => confineToPublished(laptop, { projectPath: "/home/laptop/github" }))).toBe("forbidden_path");
    expect(codeOf(() => confineToPublished(laptop, { projectPath: "/etc/passwd" }))).toBe("forbidden_path");
    expect(codeOf(() => confineToPublished(laptop, { projectPath: "/home/laptop/github/app/../../x" }))).toBe("forbidden_path");
    expect(codeOf(() => confineToPublished(laptop, { projectPath: "relative/app" }))).toBe("invalid_path");
  });
});

it("machineSummary shows a session's machine live, and one no runner registered as offline", () => {
  expect(machineSummary(null, [machine("laptop")])).toBeNull();
  expect(machineSummary("laptop", [machine("laptop", false)])).toEqual({ id: "laptop", name: "laptop box", online: false });
  expect(machineSummary("gone", [])).toEqual({ id: "gone", name: "gone", online: false });
});
