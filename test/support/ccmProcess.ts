import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { processesIn } from "../../src/infra/processes.ts";

/**
 * `ccm` as a user runs it: `bin/ccm.js` in a process of its own, on the embedded defaults
 * (REDIS_URL and DATABASE_URL unset) with a data folder of the test's, and the fake CLI.
 */
const ROOT = join(import.meta.dirname, "../..");
export const FAKE_CLAUDE = join(ROOT, "test/support/fakeClaude.mjs");

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** The environment of a ccm process on `dataDir`: embedded stores, the fake CLI, `extra` on top. */
export const ccmEnv = (dataDir: string, extra: Record<string, string> = {}): Record<string, string> => {
  const { REDIS_URL: _r, DATABASE_URL: _d, API_TOKEN: _t, ...env } = process.env;
  return {
    ...(env as Record<string, string>), DATA_DIR: dataDir, GITHUB_REPOS_DIRECTORY: join(dataDir, "repos"),
    CLAUDE_CONFIG_DIR: join(dataDir, "claude"), CLAUDE_CODE_PATH: FAKE_CLAUDE, LOG_LEVEL: "info", ...extra,
  };
};

export interface CcmService {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly token: string;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `ccm start` as the leader of its own process group (as a terminal's foreground job is). */
export const spawnCcmStart = (dataDir: string, extra: Record<string, string> = {}, args: readonly string[] = []) => {
  const child = spawn(process.execPath, [join(ROOT, "bin/ccm.js"), "start", ...args], { env: ccmEnv(dataDir, extra), stdio: ["ignore", "pipe", "pipe"], detached: true, cwd: ROOT });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
};

/** Starts the service and waits (bounded) for a healthy /health. */
export const startCcm = async (dataDir: string, extra: Record<string, string> = {}): Promise<CcmService> => {
  const port = await freePort();
  const started = spawnCcmStart(dataDir, { PORT: String(port), ...extra });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let exitedEarly = false;
  void started.exited.then(() => (exitedEarly = true));
  for (;;) {
    const health = await fetch(`${url}/health`).then((response) => response.json() as Promise<{ status: string }>, () => null);
    if (health?.status === "ok") break;
    if (exitedEarly || Date.now() > deadline) throw new Error(`ccm start did not become healthy:\n${started.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { ...started, port, url, token: readFileSync(join(dataDir, "api-token"), "utf8").trim() };
};

/**
 * Runs a ccm command to its end (bounded) and returns its exit code and output. A slow reader
 * leaves stdout unread for a second after its first bytes, so the pipe fills and the writer waits.
 */
export const runCcm = (dataDir: string, args: readonly string[], extra: Record<string, string> = {}, timeoutMs = 60_000, options: { slowReader?: boolean } = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "bin/ccm.js"), ...args], { env: ccmEnv(dataDir, extra), stdio: ["ignore", "pipe", "pipe"], cwd: ROOT });
    let stdout = "";
    let stderr = "";
    let paused = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!options.slowReader || paused) return;
      paused = true;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 1000);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`ccm ${args.join(" ")} did not finish in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

/** The parent pid of `pid` (field 4 of /proc/<pid>/stat), or null when it is gone. */
export const parentOf = (pid: number): number | null => {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
  } catch {
    return null;
  }
};

/**
 * The redis-server processes working in the data folder's `redis/` (Linux /proc). A child a
 * server forked for a moment (an AOF rewrite) is the same server, not a second one.
 */
export const redisServersOn = (dataDir: string): number[] => {
  const folder = join(dataDir, "redis");
  const found = existsSync(folder) ? processesIn(realpathSync(folder), "redis-server") : [];
  return found.filter((pid) => !found.includes(parentOf(pid) ?? -1));
};

/** Waits (bounded) until `condition` holds; throws with `what` otherwise. */
export const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
