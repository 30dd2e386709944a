import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.ts";
import { confineProjectPath } from "../../src/http/projectPath.ts";

let scratch: string;
let root: string;
beforeAll(() => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), "ccm-paths-")));
  root = join(scratch, "repos");
  mkdirSync(join(root, "org", "app"), { recursive: true });
  symlinkSync(root, join(scratch, "repos-link"));
  symlinkSync("/", join(root, "org", "up"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const codeOf = async (input: { projectPath?: string; folderName?: string }, base = root) =>
  confineProjectPath(base, input).then(() => "ok", (error: unknown) => (error instanceof AppError ? error.code : String(error)));

describe("confineProjectPath", () => {
  it("accepts nested folders and returns the physical path, even through a symlinked root", async () => {
    expect(await confineProjectPath(root, { folderName: "org/app" })).toBe(join(root, "org", "app"));
    expect(await confineProjectPath(join(scratch, "repos-link"), { projectPath: join(scratch, "repos-link", "org") })).toBe(join(root, "org"));
  });

  it("refuses a symlink to / deep inside and a missing repositories folder", async () => {
    expect(await codeOf({ folderName: "org/up/etc" })).toBe("forbidden_path");
    expect(await codeOf({ folderName: "org" }, join(scratch, "missing"))).toBe("path_not_found");
  });

  it("never returns a path outside the root, whatever the input", async () => {
    const segment = fc.oneof(fc.constantFrom("..", ".", "org", "app", "up", "etc", "", "~", "%2e%2e"), fc.string({ maxLength: 6 }));
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 6 }), fc.boolean(), async (segments, absolute) => {
        const text = segments.join("/");
        const input = absolute ? { projectPath: `${root}/${text}` } : { folderName: text };
        try {
          const resolved = await confineProjectPath(root, input);
          expect(resolved.startsWith(`${root}/`)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect([400, 403]).toContain((error as AppError).statusCode);
        }
      }),
      { numRuns: 300 },
    );
  });
});
