import { describe, expect, it } from "vitest";
import { resolveCliOptions } from "../../src/claude/cliOptions.ts";
import { buildClaudeArgs, childEnvironment, resolveClaudeCommand } from "../../src/runner/spawnClaude.ts";
import { permissionResponseLine, userMessageLine } from "../../src/runner/stdinProtocol.ts";
import { persistedSessionIdOf, storedMessage } from "../../src/runner/runnerMessages.ts";
import { decodeLine } from "../../src/claude/streamJson.ts";
import { cliPath } from "./runnerHarness.ts";

describe("CLI arguments", () => {
  it("first turn: print mode, stream-json both ways, partial messages, approvals and prompts echoed over stdio, no --resume", () => {
    expect(buildClaudeArgs({ resumeSessionId: null, options: {} })).toEqual([
      "-p", "--output-format", "stream-json", "--verbose", "--input-format", "stream-json", "--include-partial-messages",
      "--replay-user-messages", "--permission-prompt-tool", "stdio",
    ]);
  });

  it("later turns resume; options become flags, allowed tools last", () => {
    const args = buildClaudeArgs({
      resumeSessionId: "abc",
      options: { model: "claude-x", permissionMode: "acceptEdits", maxTurns: 3, allowedTools: ["Bash(echo:*)", "Read"] },
    });
    expect(args.slice(10)).toEqual([
      "--resume", "abc", "--model", "claude-x", "--permission-mode", "acceptEdits",
      "--max-turns", "3", "--allowedTools", "Bash(echo:*)", "Read",
    ]);
  });
});

describe("CLI options", () => {
  it("prompt options override session metadata; unrelated metadata is ignored", () => {
    expect(resolveCliOptions({ model: "a", maxTurns: 2, color: "blue" }, { model: "b" })).toEqual({ model: "b", maxTurns: 2 });
  });

  it.each([
    [{ model: "--evil" }],
    [{ permissionMode: "yolo" }],
    [{ allowedTools: ["-x"] }],
    [{ maxTurns: 0 }],
    [{ model: "a b" }],
  ])("refuses %j", (options) => {
    expect(() => resolveCliOptions({}, options)).toThrow(/invalid CLI options/);
  });

  it("refuses bypassPermissions from metadata or prompt unless the operator allows it", () => {
    const bypass = { permissionMode: "bypassPermissions" };
    expect(() => resolveCliOptions(bypass, undefined)).toThrow(/RUNNER_ALLOW_BYPASS_PERMISSIONS=1/);
    expect(() => resolveCliOptions({}, bypass, { allowBypassPermissions: false })).toThrow(/bypassPermissions is disabled/);
    expect(resolveCliOptions({}, bypass, { allowBypassPermissions: true })).toEqual(bypass);
    // A prompt may step down from a session's bypass default.
    expect(resolveCliOptions(bypass, { permissionMode: "default" })).toEqual({ permissionMode: "default" });
  });
});

describe("child environment", () => {
  it("keeps only allow-listed names and never our own settings or other secrets", () => {
    const env = childEnvironment({
      PATH: "/bin", HOME: "/h", LANG: "C", LC_ALL: "C", ANTHROPIC_API_KEY: "k", CLAUDE_CODE_MAX_RETRIES: "1", DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_PATH: "/x", CLAUDE_CODE_SIMULATE: "1", API_TOKEN: "secret", DATABASE_URL: "postgres://", REDIS_URL: "redis://", AWS_PROFILE: "p",
    });
    expect(Object.keys(env).sort()).toEqual(["ANTHROPIC_API_KEY", "AWS_PROFILE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_MAX_RETRIES", "DISABLE_TELEMETRY", "HOME", "LANG", "LC_ALL", "PATH"]);
  });

  it("runs the CLI as the cli entrypoint (resumable at the terminal) unless the operator says otherwise", () => {
    expect(childEnvironment({}).CLAUDE_CODE_ENTRYPOINT).toBe("cli");
    expect(childEnvironment({ CLAUDE_CODE_ENTRYPOINT: "sdk-ts" }).CLAUDE_CODE_ENTRYPOINT).toBe("sdk-ts");
  });
});

describe("CLI location", () => {
  it("runs a .js entry point under this node, finds nothing on an empty PATH", () => {
    expect(resolveClaudeCommand(cliPath, undefined)).toMatchObject({ command: process.execPath, prefixArgs: [cliPath] });
    expect(resolveClaudeCommand(undefined, "/nonexistent")).toBeNull();
    expect(resolveClaudeCommand("/nonexistent/claude", "/usr/bin")).toBeNull();
  });
});

describe("stdin protocol and stored messages", () => {
  it("writes the prompt and an approval as single stream-json lines", () => {
    expect(JSON.parse(userMessageLine("hi\nthere"))).toMatchObject({ type: "user", message: { role: "user", content: [{ type: "text", text: "hi\nthere" }] } });
    expect(userMessageLine("x").endsWith("\n")).toBe(true);
    expect(JSON.parse(permissionResponseLine("r1", { behavior: "deny", message: "no" }))).toEqual({
      type: "control_response", response: { subtype: "success", request_id: "r1", response: { behavior: "deny", message: "no" } },
    });
  });

  it("links the Claude session on a persisted message, not on init", () => {
    expect(persistedSessionIdOf(decodeLine('{"type":"system","subtype":"init","session_id":"s1","tools":[],"mcp_servers":[]}'))).toBeUndefined();
    expect(persistedSessionIdOf(decodeLine('{"type":"assistant","message":{"content":[]},"session_id":"s1"}'))).toBe("s1");
  });

  it("keeps a non-JSON line as bounded text", () => {
    expect(storedMessage(decodeLine("Error: boom"), 1024)).toEqual({ invalid: true, reason: "not JSON", text: "Error: boom" });
  });
});
