import { randomUUID } from "node:crypto";
import pino from "pino";
import type { SessionCommand } from "../../commands/session/index.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import { createSessionCommandHandler } from "../../src/eventStore/sessionCommandHandler.ts";
import { testMeta } from "../support/redis.ts";

export const silent = pino({ level: "silent" });

/** Runs session commands through the one command path; returns the last append's position. */
export const sessionCommands = (store: EventStore) => {
  const handler = createSessionCommandHandler(store);
  return async (sessionId: string, ...commands: SessionCommand[]) => {
    let position: string | null = null;
    for (const command of commands) {
      const outcome = await handler.execute(sessionId, command, { meta: testMeta });
      position = outcome.position ?? position;
    }
    return position;
  };
};

export const create = (projectPath = "/repos/app"): SessionCommand => ({
  type: "CreateSession",
  data: { projectPath, claudeDirectoryPath: "/h/.claude/projects/-repos-app", context: null, metadata: { tag: "t" } },
});

export const enqueue = (promptId: string, prompt = `do ${promptId}`): SessionCommand => ({
  type: "EnqueuePrompt",
  data: { promptId, messageId: `m-${promptId}-${randomUUID().slice(0, 6)}`, prompt },
});

export const assistantFrame = (jobId: string, seq: number, apiId: string, block: Record<string, unknown>): SessionCommand => ({
  type: "RecordRunnerEvent",
  data: { jobId, seq, kind: "assistant", message: { type: "assistant", session_id: "claude-1", parent_tool_use_id: null, message: { id: apiId, role: "assistant", content: [block] } } },
});

export const toolResultFrame = (jobId: string, seq: number, toolUseId: string, output: string): SessionCommand => ({
  type: "RecordRunnerEvent",
  data: { jobId, seq, kind: "user", message: { type: "user", session_id: "claude-1", parent_tool_use_id: null, message: { role: "user", content: [{ type: "tool_result", tool_use_id: toolUseId, content: output, is_error: false }] } } },
});
