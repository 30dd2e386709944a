import { randomUUID } from "node:crypto";
import type { SessionCommand } from "../../commands/session/index.ts";
import type { TokenScope } from "../../src/auth/tokens.ts";
import type { SessionCommandHandler } from "../../src/eventStore/sessionCommandHandler.ts";
import { createKeys } from "../../src/eventStore/keys.ts";
import { captureLogs } from "../support/logs.ts";
import { startTestService, TEST_TOKEN, waitForProjections } from "../support/service.ts";

/**
 * The service as production assembles it (api and projector) over real Redis and Postgres,
 * with one token per scope. The bootstrap token is admin, as in production.
 */
export const createAuditApp = async () => {
  const logs = captureLogs();
  const service = await startTestService({ logger: logs.logger });
  const { app, tokens } = service;
  if (!app || !tokens) throw new Error("the api role did not start");
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const scoped = async (scope: TokenScope) => bearer((await tokens.create(`${scope}-user`, { scope })).token);
  const as: Record<TokenScope | "bootstrap", { authorization: string }> = {
    mobile: await scoped("mobile"), auditor: await scoped("auditor"), admin: await scoped("admin"), bootstrap: bearer(TEST_TOKEN),
  };
  return {
    ...service, app, tokens, logs, as, schema: service.clients.schema,
    /** Every projection (the archive too) has applied everything appended so far. */
    settled: () => waitForProjections(service),
    /** The Redis key of a session's stream: the tests tamper with it as an attacker would. */
    sessionStreamKey: (sessionId: string) => createKeys(service.prefix).sessionStream(service.store.partitionFor(sessionId), sessionId),
  };
};

export type AuditApp = Awaited<ReturnType<typeof createAuditApp>>;

export interface SeededEvent {
  readonly version: number;
  readonly position: string;
  readonly at: string;
}

/**
 * One session's life, 8 events, each command a second after the last (from `start`):
 * 1 SessionCreated, 2 PromptEnqueued ("hello world"), 3 JobStarted, 4 ClaudeSessionLinked,
 * 5 RunnerEventEmitted, 6 JobCompleted, 7 SessionUpdated, 8 PromptEnqueued.
 */
export const seedSession = async (commands: SessionCommandHandler, sessionId: string, options: { actor?: string; start?: number } = {}): Promise<SeededEvent[]> => {
  const meta = { actor: options.actor ?? "phone", correlationId: `c-${sessionId.slice(0, 8)}`, causationId: null, requestId: null };
  const jobId = randomUUID();
  const script: SessionCommand[] = [
    { type: "CreateSession", data: { projectPath: "/repos/alpha", claudeDirectoryPath: "/h/.claude/projects/-repos-alpha", context: null, metadata: { tag: "audit" } } },
    { type: "EnqueuePrompt", data: { promptId: "p-1", messageId: "m-1", prompt: "hello world" } },
    { type: "StartJob", data: { jobId, promptId: "p-1", runnerId: "runner-1", leaseMs: 30_000 } },
    { type: "LinkClaudeSession", data: { claudeSessionId: "claude-1", jobId } },
    { type: "RecordRunnerEvent", data: { jobId, seq: 1, kind: "assistant", message: { type: "assistant", message: { id: "a1", content: [{ type: "text", text: "done" }] } } } },
    { type: "CompleteJob", data: { jobId, resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.01 } },
    { type: "UpdateSession", data: { context: "reviewed" } },
    { type: "EnqueuePrompt", data: { promptId: "p-2", messageId: "m-2", prompt: "second" } },
  ];
  const seeded: SeededEvent[] = [];
  const start = options.start ?? Date.parse("2025-01-01T10:00:00.000Z");
  for (const [index, command] of script.entries()) {
    const now = new Date(start + index * 1000);
    const { version, position } = await commands.execute(sessionId, command, { meta, now });
    seeded.push({ version, position: position ?? "", at: now.toISOString() });
  }
  return seeded;
};
