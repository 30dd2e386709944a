import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RedisClient } from "../../src/infra/redis.ts";
import type { Envelope } from "../../events/envelope.ts";
import type { SessionCommand, SessionState } from "../../commands/session/index.ts";
import type { AssembleOptions } from "../../src/main.ts";
import { testMeta } from "../support/redis.ts";
import { assembleTest, createTestClients, type TestService } from "../support/service.ts";

export const cliPath = new URL("../../node_modules/@anthropic-ai/claude-code/cli.js", import.meta.url).pathname;
/** The current CLI (a native binary, pinned in package.json as `claude-code-21`). */
export const cli21Path = new URL("../../node_modules/claude-code-21/bin/claude.exe", import.meta.url).pathname;
export const fakeCliPath = new URL("../support/fakeClaude.mjs", import.meta.url).pathname;

/** Environment the real CLI needs offline: a temp HOME, the mock's URL, no telemetry. */
export const cliEnv = (home: string, baseUrl: string): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: home,
  TERM: "dumb",
  ANTHROPIC_BASE_URL: baseUrl,
  ANTHROPIC_API_KEY: "dummy",
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
  DISABLE_AUTOUPDATER: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  CLAUDE_CODE_MAX_RETRIES: "1",
});

/** Project folders are made in the temp folder, so that is the repositories folder by default. */
export const runnerDefaults = { GITHUB_REPOS_DIRECTORY: tmpdir(), RUNNER_LEASE_MS: "3000", RUNNER_KILL_GRACE_MS: "1000", RUNNER_SHUTDOWN_GRACE_MS: "2000" };

export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `ccm-${name}-`));

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/**
 * Real Redis (random prefix) and Postgres, a service with no roles that sends commands as the
 * api would, and runners started as separate services (each with its own command path, as
 * separate processes have), all through the production composition root.
 */
export const createHarness = async () => {
  const clients = await createTestClients({ partitions: 2 });
  const base = await assembleTest(clients, { roles: [], config: runnerDefaults });
  const dirs: string[] = [];
  const services: TestService[] = [];

  const send = (sessionId: string, command: SessionCommand) => base.commands.execute(sessionId, command, { meta: testMeta });

  const createSession = async (metadata: Record<string, unknown> = {}) => {
    const sessionId = randomUUID();
    const projectPath = tempDir("project");
    dirs.push(projectPath);
    await send(sessionId, { type: "CreateSession", data: { projectPath, claudeDirectoryPath: "", context: null, metadata } });
    return { sessionId, projectPath };
  };

  const enqueue = async (sessionId: string, prompt: string, options?: Record<string, unknown>) => {
    const promptId = randomUUID();
    await send(sessionId, { type: "EnqueuePrompt", data: { promptId, messageId: randomUUID(), prompt, ...(options ? { options } : {}) } });
    return promptId;
  };

  const events = async (sessionId: string): Promise<Envelope[]> => [...(await base.store.readSession(sessionId)).events];

  const state = async (sessionId: string): Promise<SessionState> => (await base.commands.read(sessionId)).state;

  /** Polls the session until `check` finds what it wants in its events. */
  const waitForEvents = async <T>(sessionId: string, check: (events: Envelope[]) => T | undefined | false, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check(await events(sessionId));
      if (found !== undefined && found !== false) return found;
      if (Date.now() > deadline) throw new Error(`timed out; events: ${(await events(sessionId)).map((e) => e.type).join(",")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /**
   * A runner "process": the runner role assembled over the shared datastores, with `config` on
   * top of the runner defaults. `redis` gives it a connection of its own (a test can cut it).
   */
  const startRunner = async (env: Record<string, string>, config: Record<string, string> = {}, options: { redis?: RedisClient; runner?: AssembleOptions["runner"] } = {}) => {
    const service = await assembleTest(options.redis ? { ...clients, redis: options.redis } : clients, {
      roles: ["runner"], env, config: { ...runnerDefaults, ...config }, runner: { pollMs: 200, ...options.runner },
    });
    services.push(service);
    if (!service.runner) throw new Error("the runner role did not start");
    return service.runner;
  };

  return {
    store: base.store,
    redis: clients.redis,
    prefix: clients.prefix,
    send,
    createSession,
    enqueue,
    events,
    state,
    waitForEvents,
    startRunner,
    tempDir: (name: string) => {
      const dir = tempDir(name);
      dirs.push(dir);
      return dir;
    },
    close: async () => {
      for (const service of services) await service.stop().catch(() => {});
      await base.stop();
      await clients.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
};

export const ofType = (events: Envelope[], type: string) => events.filter((e) => e.type === type);
export const dataOf = <T = Record<string, unknown>>(event: Envelope | undefined) => event?.data as T;
