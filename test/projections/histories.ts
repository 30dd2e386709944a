import fc from "fast-check";
import { isDomainError } from "../../commands/errors.ts";
import type { SessionCommand, SessionState } from "../../commands/session/index.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import { createSessionCommandHandler } from "../../src/eventStore/sessionCommandHandler.ts";
import { testMeta } from "../support/redis.ts";

/**
 * Random command histories over a few sessions. Ids starting with `@` are resolved against the
 * session's state when the command runs, so most commands are accepted; rejected ones (domain
 * errors) are simply not part of the history.
 */
export type Step = { readonly session: number; readonly command: SessionCommand };

const frame = fc.oneof(
  fc.tuple(fc.constantFrom("msg_a", "msg_b", "msg_c"), fc.constantFrom("text", "thinking", "tool_use")).map(([id, kind]) => ({
    kind: "assistant",
    message: { type: "assistant", session_id: "claude-x", parent_tool_use_id: null, message: { id, content: [
      kind === "text" ? { type: "text", text: `say ${id}` } : kind === "thinking" ? { type: "thinking", thinking: "hm", signature: "s" } : { type: "tool_use", id: "tu", name: "Bash", input: { c: 1 } },
    ] } },
  })),
  fc.constant({ kind: "user", message: { type: "user", parent_tool_use_id: null, message: { content: [{ type: "tool_result", tool_use_id: "tu", content: "out" }] } } }),
  fc.constant({ kind: "user", message: { type: "user", message: { content: "plain string content" } } }),
  fc.constant({ kind: "system", message: { type: "system", subtype: "init", session_id: "claude-x" } }),
  fc.constant({ kind: "assistant", message: { type: "assistant", parent_tool_use_id: "toolu_sub", message: { id: "msg_sub", content: [{ type: "text", text: "inner" }] } } }),
);

const prompt = fc.constantFrom("p1", "p2", "p3", "p4", "p5");
const request = fc.constantFrom("q1", "q2", "q3");
const jobCommand = (type: "CompleteJob" | "FailJob" | "CancelJob"): SessionCommand =>
  type === "CompleteJob"
    ? { type, data: { jobId: "@running", resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.5, numTurns: 2, durationMs: 10, usage: { input_tokens: 3 } } }
    : type === "FailJob" ? { type, data: { jobId: "@running", reason: "crashed", message: "boom", exitCode: 1 } }
      : { type, data: { jobId: "@running", signal: "SIGTERM" } };

const command: fc.Arbitrary<SessionCommand> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ context: fc.constantFrom(null, "ctx"), status: fc.constantFrom("active" as const, "inactive" as const, "archived" as const), metadata: fc.dictionary(fc.constantFrom("a", "b"), fc.nat(3)) }, { requiredKeys: [] })
    .map((data): SessionCommand => ({ type: "UpdateSession", data })) },
  { weight: 6, arbitrary: prompt.map((id): SessionCommand => ({ type: "EnqueuePrompt", data: { promptId: id, messageId: `@msg-${id}`, prompt: `do ${id}` } })) },
  { weight: 6, arbitrary: fc.constant<SessionCommand>({ type: "StartJob", data: { jobId: "@new", promptId: "@head", runnerId: "r1", leaseMs: 30_000 } }) },
  { weight: 14, arbitrary: frame.map((f): SessionCommand => ({ type: "RecordRunnerEvent", data: { jobId: "@running", seq: 0, ...f } })) },
  { weight: 2, arbitrary: fc.constantFrom("claude-1", "claude-2").map((id): SessionCommand => ({ type: "LinkClaudeSession", data: { jobId: "@running", claudeSessionId: id } })) },
  { weight: 5, arbitrary: fc.constantFrom("CompleteJob" as const, "CompleteJob" as const, "FailJob" as const, "CancelJob" as const).map(jobCommand) },
  { weight: 2, arbitrary: fc.constantFrom("@head", "@running", "p1").map((id): SessionCommand => ({ type: "CancelPrompt", data: { promptId: id, reason: "changed my mind" } })) },
  { weight: 1, arbitrary: fc.constant<SessionCommand>({ type: "DeleteSession", data: {} }) },
  { weight: 2, arbitrary: prompt.map((id): SessionCommand => ({ type: "EnqueuePrompt", data: { promptId: id, messageId: `@msg-${id}`, prompt: `steer ${id}`, deliveryMode: "steer" } })) },
  { weight: 2, arbitrary: fc.constant<SessionCommand>({ type: "SteerPrompt", data: { promptId: "@head", jobId: "@running" } }) },
  { weight: 3, arbitrary: fc.tuple(request, fc.constantFrom("Write", "AskUserQuestion", "ExitPlanMode")).map(([requestId, toolName]): SessionCommand => ({
    type: "RequestPermission", data: { jobId: "@running", requestId, toolName, input: { file_path: "/r/x" }, suggestions: [{ type: "setMode", mode: "acceptEdits" }] },
  })) },
  { weight: 3, arbitrary: fc.tuple(request, fc.constantFrom("allow" as const, "allow_always" as const, "deny" as const)).map(([requestId, decision]): SessionCommand => ({
    type: "DecidePermission", data: { requestId, decision, message: "from the phone" },
  })) },
  { weight: 1, arbitrary: request.map((requestId): SessionCommand => ({ type: "ExpirePermission", data: { requestId, message: "expired" } })) },
  { weight: 1, arbitrary: request.map((requestId): SessionCommand => ({ type: "CancelPermission", data: { requestId } })) },
  { weight: 1, arbitrary: fc.subarray(["Write", "Bash(npm test:*)"]).map((rules): SessionCommand => ({ type: "SetPermissionRules", data: { rules } })) },
);

export const histories = (sessions: number) =>
  fc.array(fc.record({ session: fc.nat(sessions - 1), command }), { minLength: 10, maxLength: 90 }).map((steps): Step[] => [
    ...Array.from({ length: sessions }, (_, session) => ({ session, command: { type: "CreateSession", data: { projectPath: `/r/${session}`, claudeDirectoryPath: "/c", context: null, metadata: { n: session } } } as SessionCommand })),
    ...steps,
  ]);

// Message ids are unique across sessions and across property runs sharing the same tables,
// as the API's random ids are: `nonce` comes from the run's (random) session ids.
const resolve = (state: SessionState | undefined, command: SessionCommand, counter: number, nonce: string): SessionCommand => {
  const open = state?.status === "open" ? state : null;
  const swap = (value: unknown): unknown => {
    if (value === "@running") return open?.running?.jobId ?? "none";
    if (value === "@head") return open?.queue[0]?.promptId ?? "p1";
    if (value === "@new") return `job-${counter}`;
    if (typeof value === "string" && value.startsWith("@msg-")) return `${value.slice(5)}-${nonce}-${counter}`;
    return value;
  };
  const data = Object.fromEntries(Object.entries(command.data).map(([key, value]) => [key, key === "seq" ? counter : swap(value)]));
  return { ...command, data } as SessionCommand;
};

/**
 * Runs a history through the one command path. Returns how many commands were accepted.
 * `firstIndex` is the index of the first step in the whole history, when it is run in slices:
 * ids and `seq`s derived from the index stay unique across the slices.
 */
export const runHistory = async (store: EventStore, sessionIds: readonly string[], steps: readonly Step[], firstIndex = 0) => {
  const handler = createSessionCommandHandler(store);
  const states = new Map<string, SessionState>();
  let accepted = 0;
  for (const [index, step] of steps.entries()) {
    const sessionId = sessionIds[step.session] ?? "";
    try {
      const nonce = (sessionIds[0] ?? "").slice(0, 8);
      const outcome = await handler.execute(sessionId, resolve(states.get(sessionId), step.command, firstIndex + index, nonce), { meta: testMeta });
      states.set(sessionId, outcome.state);
      accepted += 1;
    } catch (error) {
      if (!isDomainError(error)) throw error;
    }
  }
  return accepted;
};
