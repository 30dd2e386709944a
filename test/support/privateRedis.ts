import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A redis-server of the test's own on a free loopback port, so that a test may kill, empty or
 * reconfigure it without touching the machine's shared Redis. `restart` starts it again on the
 * same port and folder (its AOF, if any, is read back).
 */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export const launchRedisServer = async (port: number, dir: string, args: readonly string[]): Promise<ChildProcess> => {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no", "--save", "", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output.slice(-500)}`)), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`));
    });
  });
  child.stdout?.resume();
  return child;
};

export const startPrivateRedis = async (args: readonly string[] = ["--appendonly", "no"]) => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "ccm-redis-"));
  let child = await launchRedisServer(port, dir, args);
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill(signal);
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    /** kill -9 (what a crash does) or SIGTERM (a clean shutdown that flushes the AOF). */
    stop,
    restart: async (restartArgs: readonly string[] = args) => {
      await stop("SIGTERM");
      child = await launchRedisServer(port, dir, restartArgs);
    },
    /** Starts it again after `stop` (same port and folder). */
    start: async (startArgs: readonly string[] = args) => {
      child = await launchRedisServer(port, dir, startArgs);
    },
    close: async () => {
      await stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

export type PrivateRedis = Awaited<ReturnType<typeof startPrivateRedis>>;
