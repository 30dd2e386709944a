import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { Envelope } from "../../events/envelope.ts";
import { startChild, type Child } from "../support/childProcess.ts";
import { poll } from "../support/poll.ts";
import { startMockAnthropic, type MockAnthropic, type MockOptions } from "../support/mockAnthropic.ts";
import { redisUrl } from "../support/redis.ts";
import { assembleTest, createTestClients, listen, testAuth, type TestClients, type TestService } from "../support/service.ts";
import { cliEnv, dataOf } from "./runnerHarness.ts";

export type Body = Record<string, unknown>;
export type Permission = { requestId: string; status: string; toolName: string; kind: string; input: Body; [key: string]: unknown };

export interface PhoneHarnessOptions {
  /** The CLI the runner runs. */
  readonly cliPath: string;
  /** Runner settings on top of the defaults (timeouts, grace). */
  readonly runner?: Record<string, string>;
  readonly mock?: MockOptions;
}

/**
 * A deployment as a phone meets it: the api and projector in this process (listening on a
 * loopback port), a runner in a process of its own running the real CLI against the mock
 * Messages API, HOME (and so the CLI's transcripts, which the api indexes) in a temp folder.
 * The helpers speak HTTP as the phone does.
 */
export const startPhoneHarness = async (options: PhoneHarnessOptions) => {
  const clients: TestClients = await createTestClients({ partitions: 4 });
  const mock: MockAnthropic = await startMockAnthropic(options.mock ?? {});
  const home = mkdtempSync(join(clients.scratch, "home-"));
  // The CLI writes its transcripts here; the api's watcher watches the folder from the start.
  mkdirSync(join(home, ".claude", "projects"), { recursive: true });
  const api: TestService = await assembleTest(clients, { roles: ["api", "projector"], config: { READ_WAIT_MS: "5000", CLAUDE_CONFIG_DIR: join(home, ".claude") } });
  const { url } = await listen(api.app);
  const env = cliEnv(home, mock.url);

  const startRunner = () =>
    startChild(new URL("./runnerProcess.ts", import.meta.url), {
      ...env,
      TEST_REDIS_URL: redisUrl, REDIS_KEY_PREFIX: clients.prefix, PARTITIONS: "4", GITHUB_REPOS_DIRECTORY: clients.root,
      DATA_DIR: mkdtempSync(join(clients.scratch, "runner-")), CLAUDE_CODE_PATH: options.cliPath, LOG_LEVEL: "silent",
      ...options.runner,
    });
  let runner: Child = await startRunner();

  const call = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: Body }> => {
    const response = await fetch(`${url}/api/claude-code${route}`, {
      method,
      headers: { ...testAuth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Body };
  };

  /** A repository folder of its own, and a session on it. */
  const newSession = async (extra: Body = {}) => {
    const folderName = `p-${randomUUID().slice(0, 8)}`;
    mkdirSync(join(clients.root, folderName));
    const created = await call("POST", "/sessions", { folderName, ...extra });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { sessionId: String(created.body.id), folder: join(clients.root, folderName), created: created.body };
  };

  const send = async (sessionId: string, prompt: string, extra: Body = {}) => {
    const sent = await call("POST", `/sessions/${sessionId}/prompts`, { prompt, ...extra });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    return sent.body;
  };

  /** The read model may not have the new session yet (404): nothing to show then. */
  const permissions = async (sessionId: string) => ((await call("GET", `/sessions/${sessionId}/permissions`)).body.permissions ?? []) as Permission[];

  const pending = (sessionId: string) =>
    poll("a pending permission request", async () => (await permissions(sessionId)).find((permission) => permission.status === "pending"));

  const finished = (sessionId: string, promptId: unknown) =>
    poll("the prompt to finish", async () => {
      const prompt = (await call("GET", `/sessions/${sessionId}/prompts/${String(promptId)}`)).body;
      return ["completed", "failed", "cancelled"].includes(String(prompt.status)) ? prompt : undefined;
    }, 60_000);

  const events = async (sessionId: string): Promise<Envelope[]> => [...(await api.store.readSession(sessionId)).events];

  const resultText = async (sessionId: string, promptId: unknown) =>
    String(dataOf((await events(sessionId)).find((event) => event.type === "JobCompleted" && dataOf(event).promptId === promptId))?.resultText ?? "");

  const decide = (sessionId: string, requestId: string, body: Body) => call("POST", `/sessions/${sessionId}/permissions/${requestId}`, body);

  return {
    clients, api, url, mock, home, env, call, poll, newSession, send, permissions, pending, finished, events, resultText, decide,
    /** Kills the runner process (-9) and starts another. */
    replaceRunner: async () => {
      await runner.stop("SIGKILL");
      runner = await startRunner();
    },
    close: async () => {
      await runner.stop();
      await api.stop();
      await mock.close();
      await clients.close();
    },
  };
};

export type PhoneHarness = Awaited<ReturnType<typeof startPhoneHarness>>;
