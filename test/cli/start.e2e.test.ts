import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";

const dataDir = mkdtempSync(join(tmpdir(), "ccm-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it("starts on embedded Redis and PGlite with no configuration, serves /health, and stops cleanly on Ctrl-C", async () => {
  const port = await freePort();
  const { REDIS_URL: _r, DATABASE_URL: _d, ...env } = process.env;
  const child = spawn(process.execPath, ["bin/ccm.js", "start", "--role", "api"], {
    env: { ...env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "info", GITHUB_REPOS_DIRECTORY: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  let health: { status: string; services: Record<string, string> } | null = null;
  while (!health && Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      health = (await response.json()) as typeof health;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  expect(health).toMatchObject({ status: "ok", services: { redis: "up", database: "up" } });
  expect(output).toContain("durability: appendonly yes, appendfsync everysec");
  expect(output).toContain("embedded PGlite");
  const redisPid = Number(/"dir":"[^"]+","pid":(\d+)/.exec(output)?.[1]);
  expect(isAlive(redisPid)).toBe(true);

  child.kill("SIGINT");
  expect(await exited).toBe(0);
  expect(isAlive(redisPid)).toBe(false);
}, 90_000);
