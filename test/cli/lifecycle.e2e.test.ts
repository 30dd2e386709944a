import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRunning } from "../../src/infra/processes.ts";
import { freePort, redisServersOn, spawnCcmStart, startCcm, waitFor, type CcmService } from "../support/ccmProcess.ts";

/**
 * Stopping and owning a data folder, as a user on the embedded defaults meets them: Ctrl-C
 * during a job, a second start, a crashed service and the redis-server it leaves behind.
 */
const dataDir = mkdtempSync(join(tmpdir(), "ccm-life-"));
mkdirSync(join(dataDir, "repos", "proj"), { recursive: true });
const GRACE_MS = 3000;
const env = { RUNNER_SHUTDOWN_GRACE_MS: String(GRACE_MS) };
let service: CcmService | null = null;

afterAll(async () => {
  if (service?.child.exitCode === null) service.child.kill("SIGKILL");
  await service?.exited;
  for (const pid of redisServersOn(dataDir)) process.kill(pid, "SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const live = service as CcmService;
  const response = await fetch(`${live.url}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${live.token}`, ...(init.body ? { "content-type": "application/json" } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

let sessionId = "";

describe("ccm start on the embedded defaults", () => {
  it("stops on Ctrl-C during a running job within the shutdown grace, records runner_shutdown, and leaves no redis-server", async () => {
    service = await startCcm(dataDir, env);
    expect(redisServersOn(dataDir)).toHaveLength(1);
    const created = await api("/api/claude-code/sessions", { method: "POST", body: { folderName: "proj" } });
    sessionId = String(created.body.id);
    await api(`/api/claude-code/sessions/${sessionId}/prompts`, { method: "POST", body: { prompt: "HANG until stdin closes" } });
    await waitFor("the job's CLI to start", () => service?.output().includes("job process started") ?? false);

    const pressed = Date.now();
    // Ctrl-C: the terminal signals its whole foreground process group.
    process.kill(-(service.child.pid as number), "SIGINT");
    const exit = await service.exited;
    const tookMs = Date.now() - pressed;

    expect(exit.code).toBe(0);
    expect(tookMs).toBeLessThan(GRACE_MS + 5000);
    expect(service.output()).toContain('"end":"failed","phase":"aborting"');
    expect(service.output()).not.toMatch(/ECONNREFUSED|\n\s+at /);
    expect(redisServersOn(dataDir)).toEqual([]);
    expect(readdirSync(dataDir)).not.toContain("owner.json");
  }, 90_000);

  it("after a restart the read models show the job ended by the stopping service (runner_shutdown)", async () => {
    service = await startCcm(dataDir, env);
    let error: unknown = null;
    await waitFor("the prompt's end in the read models", async () => {
      const prompts = (await api(`/api/claude-code/sessions/${sessionId}/prompts`)).body.prompts as Array<{ status: string; error: string | null }>;
      error = prompts[0]?.error ?? null;
      return prompts[0]?.status === "failed";
    });
    expect(String(error)).toMatch(/^runner_shutdown/);
  }, 90_000);

  it("refuses a second ccm start on the same folder, naming the running one", async () => {
    const second = spawnCcmStart(dataDir, { PORT: "0" });
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(second.output()).toContain(`DATA_DIR ${dataDir} is in use by a running service (pid ${service?.child.pid}`);
    expect(redisServersOn(dataDir)).toHaveLength(1);
    expect((await fetch(`${service?.url}/health`)).status).toBe(200);
  }, 60_000);

  it("a restart after kill -9 runs exactly one redis-server on the folder (the old one died with its parent)", async () => {
    const live = service as CcmService;
    const [before] = redisServersOn(dataDir);
    process.kill(live.child.pid as number, "SIGKILL");
    await live.exited;
    service = await startCcm(dataDir, env);
    const after = redisServersOn(dataDir);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    expect(isRunning(before as number)).toBe(false);
  }, 90_000);

  it("a redis-server left running on the folder (by a crash, or an older version) is found by its pid file and stopped, never doubled", async () => {
    const live = service as CcmService;
    live.child.kill("SIGINT");
    expect((await live.exited).code).toBe(0);
    // What a hard crash can leave: a server on the folder's AOF whose service is gone.
    const port = await freePort();
    const folder = join(dataDir, "redis");
    const left = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", folder, "--pidfile", join(folder, "redis-server.pid"), "--appendonly", "yes", "--save", ""], { detached: true, stdio: "ignore" });
    left.unref();
    const orphan = left.pid as number;
    await waitFor("the left server's pid file", () => existsSync(join(folder, "redis-server.pid")));
    expect(redisServersOn(dataDir)).toEqual([orphan]);

    service = await startCcm(dataDir, { RUNNER_SHUTDOWN_GRACE_MS: "60000" });
    expect(service.output()).toContain("a redis-server left running by an earlier run works on this folder: stopping it");
    expect(isRunning(orphan)).toBe(false);
    const now = redisServersOn(dataDir);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(orphan);
  }, 90_000);

  it("a second Ctrl-C stops running jobs at once instead of waiting out a long grace", async () => {
    const live = service as CcmService;
    await api(`/api/claude-code/sessions/${sessionId}/prompts`, { method: "POST", body: { prompt: "HANG again" } });
    await waitFor("the job's CLI to start", () => (live.output().match(/job process started/g) ?? []).length >= 1);
    const pressed = Date.now();
    process.kill(-(live.child.pid as number), "SIGINT");
    await waitFor("the first Ctrl-C to be taken", () => live.output().includes("shutting down"));
    process.kill(-(live.child.pid as number), "SIGINT");
    const exit = await live.exited;
    expect(Date.now() - pressed).toBeLessThan(6000);
    expect(exit.code).toBe(0);
    expect(live.output()).toContain('"end":"failed","phase":"aborting"');
    expect(redisServersOn(dataDir)).toEqual([]);
  }, 60_000);
});
