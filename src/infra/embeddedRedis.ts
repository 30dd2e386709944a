import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Logger } from "pino";

export const REDIS_INSTALL_HINT =
  "redis-server was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`, " +
  "macOS: `brew install redis`) or set REDIS_URL to an existing Redis 7+.";

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
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error(REDIS_INSTALL_HINT) : error),
    );
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${output.slice(-2000)}`)));
  });

/**
 * A redis-server child on a free loopback port with AOF in DATA_DIR/redis, for a laptop
 * that has no Redis running. Stopped (and its AOF flushed) by `stop()`.
 */
export const startEmbeddedRedis = async (dataDir: string, durability: "everysec" | "strict", logger: Logger) => {
  const dir = join(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const args = [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
    "--appendonly", "yes", "--appendfsync", durability === "strict" ? "always" : "everysec",
    "--daemonize", "no", "--protected-mode", "yes",
  ];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  await waitForReady(child);
  child.stdout?.resume();
  logger.info({ port, dir, pid: child.pid }, "embedded redis-server started");
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
};
