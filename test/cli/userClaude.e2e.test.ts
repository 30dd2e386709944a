import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveClaudeCommand } from "../../src/runner/spawnClaude.ts";
import { captureLogs } from "../support/logs.ts";
import { assembleTest, createTestClients } from "../support/service.ts";
import { FAKE_CLAUDE, startCcm, waitFor, type CcmService } from "../support/ccmProcess.ts";

/**
 * `npm start` puts the project's node_modules/.bin first on PATH, where the devDependency's
 * `claude` (a test fixture) lives: the runner must use the user's own `claude` instead.
 */
const scratch = mkdtempSync(join(tmpdir(), "ccm-userclaude-"));
const projectBin = join(import.meta.dirname, "../../node_modules/.bin");
const userBin = join(scratch, "bin");
mkdirSync(userBin);
mkdirSync(join(scratch, "data", "repos", "proj"), { recursive: true });
// The user's `claude`: the fake CLI behind a launcher script, as an install puts one on PATH.
writeFileSync(join(userBin, "claude"), `#!/bin/sh\nexec "${process.execPath}" "${FAKE_CLAUDE}" "$@"\n`);
chmodSync(join(userBin, "claude"), 0o755);
let service: CcmService | null = null;

afterAll(async () => {
  service?.child.kill("SIGINT");
  await service?.exited;
  rmSync(scratch, { recursive: true, force: true });
});

describe("which Claude Code CLI the runner uses", () => {
  it("passes over node_modules/.bin folders on PATH, however early they come", () => {
    expect(resolveClaudeCommand(undefined, `${projectBin}:${userBin}:/usr/bin`)?.path).toBe(join(userBin, "claude"));
    expect(resolveClaudeCommand(undefined, projectBin)).toBeNull();
  });

  it("ccm start with node_modules/.bin first on PATH runs the user's claude, and the log names its path and version", async () => {
    const env = { PATH: `${projectBin}:${userBin}:${process.env.PATH ?? ""}`, CLAUDE_CODE_PATH: "" };
    service = await startCcm(join(scratch, "data"), env);
    await waitFor("the CLI's version in the log", () => service?.output().includes("runner: Claude Code CLI version 0.0.0-fake") ?? false);
    expect(service.output()).toContain(`"cli":"${join(userBin, "claude")}"`);
    const headers = { authorization: `Bearer ${service.token}`, "content-type": "application/json" };
    const session = (await (await fetch(`${service.url}/api/claude-code/sessions`, { method: "POST", headers, body: JSON.stringify({ folderName: "proj" }) })).json()) as { id: string };
    await fetch(`${service.url}/api/claude-code/sessions/${session.id}/prompts`, { method: "POST", headers, body: JSON.stringify({ prompt: "hello" }) });
    await waitFor("the job to complete", () => service?.output().includes('"end":"completed"') ?? false);
  }, 90_000);

  it("without any claude outside node_modules/.bin, the runner's start-up warns clearly that none was found", async () => {
    const { logger, lines } = captureLogs();
    const clients = await createTestClients({ logger });
    const runner = await assembleTest(clients, { roles: ["runner"], env: { PATH: `${projectBin}:/nonexistent` } });
    try {
      expect(lines.find((line) => line.mode === "none")).toMatchObject({ level: 40, msg: expect.stringMatching(/Claude Code CLI not found .*outside node_modules\/\.bin/) });
    } finally {
      await runner.stop();
      await clients.close();
    }
  });
});
