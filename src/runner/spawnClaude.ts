import { execFile, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { CliOptions } from "../claude/cliOptions.ts";
import type { CheckedFolder } from "./projectFolder.ts";

/**
 * Starting the Claude Code CLI: the argument array (never a shell), the allow-listed
 * environment, where the executable is, and a handle on the running process group.
 */
export type ExitInfo = { readonly exitCode: number | null; readonly signal: string | null; readonly error?: Error };

/** A running CLI (or the simulator): what a job needs to talk to it and stop it. */
export type ChildHandle = {
  readonly pid: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the process exited and its output streams closed. */
  readonly exited: Promise<ExitInfo>;
  /** Signals the whole process group (the CLI and the tools it started). */
  readonly kill: (signal: NodeJS.Signals) => void;
  /** True while any process of the group is alive. */
  readonly groupAlive: () => boolean;
};

export type LaunchSpec = {
  /** The project folder, checked and held open: the CLI starts in `folder.cwd`, which names it. */
  readonly folder: CheckedFolder;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
};

export type Launcher = {
  readonly mode: "cli" | "simulator";
  readonly launch: (spec: LaunchSpec) => ChildHandle;
  /** The CLI's executable (or script), for the start-up log. */
  readonly path?: string;
  /** What `--version` says ("2.0.77"), asked once; null when the CLI does not say. */
  readonly version: () => Promise<string | null>;
};

export type ClaudeArgsInput = {
  readonly resumeSessionId: string | null;
  readonly options: CliOptions;
};

/**
 * `-p` in stream-json both ways, so prompts, approvals and interrupts travel over stdin; every
 * tool the session's mode and rules do not already allow is asked of the phone.
 */
export const buildClaudeArgs = ({ resumeSessionId, options }: ClaudeArgsInput): string[] => {
  const args = [
    "-p", "--output-format", "stream-json", "--verbose", "--input-format", "stream-json", "--include-partial-messages",
    // Each prompt written is echoed back once the CLI took it: how the runner knows every
    // steering prompt has had its turn before it closes stdin.
    "--replay-user-messages",
    // Tools the session's mode and rules do not allow are asked over stdin (control_request).
    "--permission-prompt-tool", "stdio",
  ];
  if (resumeSessionId !== null) args.push("--resume", resumeSessionId);
  if (options.model !== undefined) args.push("--model", options.model);
  if (options.permissionMode !== undefined) args.push("--permission-mode", options.permissionMode);
  if (options.maxTurns !== undefined) args.push("--max-turns", String(options.maxTurns));
  // Variadic: each tool its own value, and nothing positional follows.
  if (options.allowedTools !== undefined && options.allowedTools.length > 0) args.push("--allowedTools", ...options.allowedTools);
  if (options.disallowedTools !== undefined && options.disallowedTools.length > 0) args.push("--disallowedTools", ...options.disallowedTools);
  return args;
};

const ALLOWED_NAMES = new Set([
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TERM", "TMPDIR", "TZ", "COLORTERM",
  "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "NODE_EXTRA_CA_CERTS",
  "CLAUDE_CONFIG_DIR", "IS_SANDBOX", "MAX_THINKING_TOKENS", "BASH_DEFAULT_TIMEOUT_MS", "BASH_MAX_TIMEOUT_MS",
]);
const ALLOWED_PREFIXES = ["LC_", "ANTHROPIC_", "CLAUDE_CODE_", "DISABLE_", "AWS_", "GOOGLE_", "CLOUD_ML_", "VERTEX_"];
/** Our own settings share the CLAUDE_CODE_ prefix but mean nothing to the CLI. */
const OURS = new Set(["CLAUDE_CODE_PATH", "CLAUDE_CODE_SIMULATE"]);

/**
 * The child's environment: only allow-listed names from `source`, never the whole of it. The
 * CLI is told it runs as the `cli` entrypoint (unless the operator says otherwise), so a
 * conversation begun from the phone shows in `claude --resume` at the terminal too.
 */
export const childEnvironment = (source: Readonly<Record<string, string | undefined>>): Record<string, string> => {
  const env: Record<string, string> = { CLAUDE_CODE_ENTRYPOINT: "cli" };
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || OURS.has(name)) continue;
    if (ALLOWED_NAMES.has(name) || ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  return env;
};

const usable = (path: string, mode: number): boolean => {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
};

export type ClaudeCommand = { readonly command: string; readonly prefixArgs: readonly string[]; readonly path: string };

/**
 * npm and npx put `node_modules/.bin` folders first on PATH: the CLI there is a package's own
 * dependency (this project's is a test fixture), not the user's `claude`.
 */
const isPackageBin = (dir: string) => /[\\/]node_modules[\\/]\.bin[\\/]?$/.test(dir);

/**
 * The command that runs the CLI: CLAUDE_CODE_PATH, else `claude` on PATH (leaving out
 * node_modules/.bin folders); null when neither exists. A `.js` entry point (the npm package's
 * `cli.js`) runs under this Node.
 */
export const resolveClaudeCommand = (claudeCodePath: string | undefined, path: string | undefined): ClaudeCommand | null => {
  const candidates =
    claudeCodePath !== undefined
      ? [claudeCodePath]
      : (path ?? "").split(delimiter).filter((dir) => isAbsolute(dir) && !isPackageBin(dir)).map((dir) => join(dir, "claude"));
  for (const candidate of candidates) {
    if (/\.(c|m)?js$/.test(candidate) && usable(candidate, constants.R_OK)) return { command: process.execPath, prefixArgs: [candidate], path: candidate };
    if (usable(candidate, constants.X_OK)) return { command: candidate, prefixArgs: [], path: candidate };
  }
  return null;
};

const signalGroup = (pid: number | undefined, signal: NodeJS.Signals | 0): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
};

/** `claude --version` (e.g. "2.0.77 (Claude Code)") → "2.0.77"; null when it fails or says no version. */
const cliVersion = (command: ClaudeCommand, env: NodeJS.ProcessEnv): Promise<string | null> =>
  new Promise((resolve) => {
    execFile(command.command, [...command.prefixArgs, "--version"], { timeout: 10_000, env }, (error, stdout) => {
      resolve(error ? null : (/\d+\.\d+\.\d+[\w.+-]*/.exec(String(stdout))?.[0] ?? null));
    });
  });

/** The first call's promise, for every call. */
const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
};

/** Spawns the CLI as the leader of its own process group, so a cancel reaches its tools too. */
export const createCliLauncher = (command: ClaudeCommand, env: NodeJS.ProcessEnv = {}): Launcher => ({
  mode: "cli",
  path: command.path,
  version: once(() => cliVersion(command, env)),
  launch: (spec) => {
    const child = spawn(command.command, [...command.prefixArgs, ...spec.args], {
      cwd: spec.folder.cwd,
      env: spec.env,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    // A write to a CLI that already died must not crash the runner.
    child.stdin.on("error", () => {});
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once("error", (error) => resolve({ exitCode: null, signal: null, error }));
      child.once("close", (exitCode, signal) => resolve({ exitCode, signal }));
    });
    return {
      pid: child.pid,
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      kill: (signal) => {
        signalGroup(child.pid, signal);
      },
      groupAlive: () => signalGroup(child.pid, 0),
    };
  },
});
