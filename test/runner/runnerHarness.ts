import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { Envelope } from "../../events/envelope.ts";
import { fold, sessionDecider, type SessionCommand, type SessionState } from "../../commands/session/index.ts";
import { decodeEvent, type DomainEvent } from "../../events/registry.ts";
import { parseConfig } from "../../src/config.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import { createCommandHandler } from "../../src/eventStore/handleCommand.ts";
import { createRunner, type RunnerDeps } from "../../src/runner/runner.ts";
import { createTestStore, testMeta } from "../support/redis.ts";

export const cliPath = new URL("../../node_modules/@anthropic-ai/claude-code/cli.js", import.meta.url).pathname;
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
export const testConfig = (prefix: string, overrides: Record<string, string> = {}) =>
  parseConfig({
    REDIS_KEY_PREFIX: prefix, GITHUB_REPOS_DIRECTORY: tmpdir(),
    RUNNER_LEASE_MS: "3000", RUNNER_KILL_GRACE_MS: "1000", RUNNER_SHUTDOWN_GRACE_MS: "2000", ...overrides,
  });

export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `ccm-${name}-`));

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** A real Redis store with a random prefix, a command handler, and helpers to drive sessions. */
export const createHarness = async () => {
  const { store, redis, prefix, close } = await createTestStore(2);
  const handle = createCommandHandler(store, sessionDecider);
  const dirs: string[] = [];
  const runners: { stop: () => Promise<void> }[] = [];
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

  const send = (sessionId: string, command: SessionCommand) => handle(sessionId, command, { meta: testMeta });

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

  const events = async (sessionId: string): Promise<Envelope[]> => [...(await store.readSession(sessionId)).events];

  const state = async (sessionId: string): Promise<SessionState> =>
    fold((await events(sessionId)).map((e) => decodeEvent(e)).filter((e) => e.known) as unknown as DomainEvent[]);

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

  const startRunner = async (env: Record<string, string>, config = testConfig(prefix), extra: Partial<RunnerDeps> = {}) => {
    const runner = createRunner({ store, redis, config, logger, env, pollMs: 200, ...extra });
    await runner.start();
    runners.push(runner);
    return runner;
  };

  return {
    store: store as EventStore,
    redis,
    prefix,
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
      for (const runner of runners) await runner.stop().catch(() => {});
      await close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
};

export const ofType = (events: Envelope[], type: string) => events.filter((e) => e.type === type);
export const dataOf = <T = Record<string, unknown>>(event: Envelope | undefined) => event?.data as T;
