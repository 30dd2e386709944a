import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Logger } from "pino";
import { isRunning, processesIn, processName, stopProcess } from "./processes.ts";

export const REDIS_INSTALL_HINT =
  "redis-server was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`, " +
  "macOS: `brew install redis`) or set REDIS_URL to an existing Redis 7+.";

/** redis-server writes its pid here and removes it on a clean shutdown: one still there names a server left running. */
const PID_FILE = "redis-server.pid";
/** How long a redis-server gets to flush its AOF and exit before it is killed. */
const STOP_GRACE_MS = 20_000;

/**
 * Runs redis-server under a small shell that stops it when its standard input closes, which
 * the kernel does when the service dies in any way (kill -9 included): the server dies with
 * its parent. The shell is detached (a session of its own), so Ctrl-C in the terminal reaches
 * the service only, and the service stops the server last.
 */
const WRAPPER = 'exec 3<&0; "$@" 3<&- & child=$!; (read -r _ <&3; kill -TERM "$child" 2>/dev/null) & exec 3<&-; wait "$child"';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

const waitForReady = (child: ChildProcess) =>
  new Promise<void>((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(code === 127 ? new Error(REDIS_INSTALL_HINT) : new Error(`redis-server exited with ${code}: ${output.slice(-2000)}`)),
    );
  });

const recordedPid = (dir: string): number | null => {
  try {
    const pid = Number(readFileSync(join(dir, PID_FILE), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
};

/**
 * Stops any redis-server still working on `dir`: the one its pid file names (a crashed run's),
 * and on Linux any other whose working folder it is. Two servers appending to one AOF would
 * corrupt it; the caller holds the DATA_DIR lock, so none of them belongs to a live service.
 */
const stopLeftovers = async (dir: string, logger: Logger) => {
  const recorded = recordedPid(dir);
  const named = recorded !== null && isRunning(recorded) && (processName(recorded) ?? "redis-server") === "redis-server" ? [recorded] : [];
  const leftovers = [...new Set([...named, ...processesIn(realpathSync(dir), "redis-server")])];
  for (const pid of leftovers) {
    logger.warn({ pid, dir }, "a redis-server left running by an earlier run works on this folder: stopping it before starting one");
    if (!(await stopProcess(pid, STOP_GRACE_MS))) throw new Error(`could not stop the redis-server (pid ${pid}) left running on ${dir}`);
  }
};

const untilExit = (child: ChildProcess, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

/**
 * A redis-server child on a free loopback port with AOF in DATA_DIR/redis, for a laptop
 * that has no Redis running. The caller holds the DATA_DIR lock. Stopped (and its AOF
 * flushed) by `stop()`.
 */
export const startEmbeddedRedis = async (dataDir: string, durability: "everysec" | "strict", logger: Logger) => {
  const dir = join(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  await stopLeftovers(dir, logger);
  const port = await freePort();
  const args = [
    "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--pidfile", join(dir, PID_FILE),
    "--appendonly", "yes", "--appendfsync", durability === "strict" ? "always" : "everysec",
    "--daemonize", "no", "--protected-mode", "yes",
  ];
  const child = spawn("sh", ["-c", WRAPPER, "sh", ...args], { stdio: ["pipe", "pipe", "pipe"], detached: true });
  child.stdin?.on("error", () => undefined);
  // The shell exits with the server; its stdin then has no reader left to tell.
  child.once("exit", () => child.stdin?.destroy());
  await waitForReady(child);
  child.stdout?.resume();
  child.stderr?.resume();
  const pid = recordedPid(dir);
  logger.info({ port, dir, pid }, "embedded redis-server started");
  return {
    url: `redis://127.0.0.1:${port}`,
    pid,
    stop: async () => {
      // Closing its input makes the shell stop the server (SIGTERM: the AOF is flushed).
      child.stdin?.end();
      if (await untilExit(child, STOP_GRACE_MS)) return;
      logger.warn({ pid }, "embedded redis-server did not stop in time: killing it");
      if (pid !== null) await stopProcess(pid, 0);
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    },
  };
};
