import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../events/registry.ts";
import { DomainError, type DomainErrorCode } from "../../commands/errors.ts";
import {
  decide,
  fold,
  queuePosition,
  sessionDecider,
  type SessionCommand,
} from "../../commands/session/index.ts";

// given(events).when(command).then(events) / .rejects(code), emmett DeciderSpecification style.
const given = (...history: DomainEvent[]) => ({
  when: (command: SessionCommand) => ({
    then: (expected: DomainEvent[]) => expect(decide(command, fold(history))).toEqual(expected),
    rejects: (code: DomainErrorCode) => {
      let thrown: unknown;
      try {
        decide(command, fold(history));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect((thrown as DomainError).code).toBe(code);
    },
  }),
});

const created: DomainEvent = {
  type: "SessionCreated",
  data: { projectPath: "/repos/app", claudeDirectoryPath: "/h/.claude/projects/-repos-app", context: null, metadata: { a: 1 } },
};
const deleted: DomainEvent = { type: "SessionDeleted", data: {} };
const enqueued = (promptId: string): DomainEvent => ({
  type: "PromptEnqueued",
  data: { promptId, messageId: `m-${promptId}`, prompt: `do ${promptId}`, projectPath: "/repos/app" },
});
const started = (jobId: string, promptId: string): DomainEvent => ({
  type: "JobStarted",
  data: { jobId, promptId, runnerId: "r1", leaseMs: 30_000 },
});
const completed = (jobId: string, promptId: string): DomainEvent => ({
  type: "JobCompleted",
  data: { jobId, promptId, resultSubtype: "success", isError: false, exitCode: 0 },
});
const failed = (jobId: string, promptId: string): DomainEvent => ({
  type: "JobFailed",
  data: { jobId, promptId, reason: "lease_expired" },
});
const jobCancelled = (jobId: string, promptId: string): DomainEvent => ({
  type: "JobCancelled",
  data: { jobId, promptId, signal: "SIGTERM" },
});
const cancelRequested = (promptId: string, jobId: string): DomainEvent => ({
  type: "PromptCancelRequested",
  data: { promptId, jobId },
});
const permissionRequested = (jobId: string, requestId: string, toolName = "Bash", suggestions?: unknown[]): DomainEvent => ({
  type: "PermissionRequested",
  data: { jobId, requestId, toolName, input: { command: "ls" }, kind: toolName === "AskUserQuestion" ? "question" : toolName === "ExitPlanMode" ? "plan" : "tool", ...(suggestions ? { suggestions } : {}) },
});
const running = [created, enqueued("p1"), started("j1", "p1")];

const startJob = (jobId: string, promptId: string, leaseMs = 30_000): SessionCommand => ({
  type: "StartJob",
  data: { jobId, promptId, runnerId: "r1", leaseMs },
});
const enqueue = (promptId: string): SessionCommand => ({
  type: "EnqueuePrompt",
  data: { promptId, messageId: `m-${promptId}`, prompt: `do ${promptId}` },
});

// One well-formed example of every command, to check the session-level rejections on each.
const oneOfEach: SessionCommand[] = [
  { type: "CreateSession", data: created.data as Extract<SessionCommand, { type: "CreateSession" }>["data"] },
  { type: "UpdateSession", data: { context: "x" } },
  { type: "DeleteSession", data: {} },
  enqueue("p9"),
  { type: "CancelPrompt", data: { promptId: "p1" } },
  startJob("j1", "p1"),
  { type: "RecordRunnerEvent", data: { jobId: "j1", seq: 1, kind: "assistant", message: {} } },
  { type: "LinkClaudeSession", data: { jobId: "j1", claudeSessionId: "c1" } },
  { type: "CompleteJob", data: { jobId: "j1", resultSubtype: "success", isError: false, exitCode: 0 } },
  { type: "FailJob", data: { jobId: "j1", reason: "crashed" } },
  { type: "CancelJob", data: { jobId: "j1" } },
  { type: "RequestPermission", data: { jobId: "j1", requestId: "q1", toolName: "Bash", input: {} } },
  { type: "DecidePermission", data: { requestId: "q1", decision: "allow" } },
  { type: "ExpirePermission", data: { requestId: "q1", message: "expired" } },
  { type: "CancelPermission", data: { requestId: "q1" } },
  { type: "SetPermissionRules", data: { rules: ["Write"] } },
  { type: "ImportTurns", data: { claudeSessionId: "c0", messages: [] } },
  { type: "ResetConversation", data: {} },
];

describe("every command", () => {
  it.each(oneOfEach.filter((c) => c.type !== "CreateSession").map((c) => [c.type, c] as const))(
    "%s on a session that was never created is session_not_found",
    (_type, command) => given().when(command).rejects("session_not_found"),
  );

  it.each(oneOfEach.map((c) => [c.type, c] as const))("%s on a deleted session is session_deleted", (_type, command) =>
    given(...running, permissionRequested("j1", "q1"), deleted).when(command).rejects("session_deleted"),
  );
});

describe("CreateSession", () => {
  it("creates the session", () => given().when(oneOfEach[0]!).then([created]));
  it("refuses a second create", () => given(created).when(oneOfEach[0]!).rejects("session_exists"));
  it("starts active, idle, unlinked", () => {
    expect(fold([created])).toMatchObject({ status: "open", sessionStatus: "active", running: null, claudeSessionId: null, queue: [] });
  });
});

describe("a conversation begun elsewhere", () => {
  const continuing: DomainEvent = { type: "SessionCreated", data: { ...(created.data as object), claudeSessionId: "c0" } as never };
  const turns = { claudeSessionId: "c0", messages: [{ uuid: "u1", role: "user" as const, text: "hi", content: [{ type: "text", text: "hi" }], at: null, apiMessageId: null }] };
  const linked: DomainEvent = { type: "ClaudeSessionLinked", data: { jobId: "j1", claudeSessionId: "c1" } };
  it("a session created to continue a conversation resumes it at its first prompt", () => {
    expect(fold([continuing])).toMatchObject({ status: "open", claudeSessionId: "c0" });
  });
  it("its earlier turns are recorded as they come, and change nothing the decider keeps", () => {
    given(continuing).when({ type: "ImportTurns", data: turns }).then([{ type: "TurnsImported", data: turns }]);
    expect(fold([continuing, { type: "TurnsImported", data: turns }])).toEqual(fold([continuing]));
  });
  it("reset forgets the conversation; the next prompt starts a new one", () => {
    given(...running, linked, completed("j1", "p1")).when({ type: "ResetConversation", data: {} })
      .then([{ type: "ConversationReset", data: { previousClaudeSessionId: "c1" } }]);
    expect(fold([...running, linked, completed("j1", "p1"), { type: "ConversationReset", data: { previousClaudeSessionId: "c1" } }])).toMatchObject({ claudeSessionId: null });
  });
  it("reset of a session with no conversation is a no-op; mid-turn it is refused", () => {
    given(created).when({ type: "ResetConversation", data: {} }).then([]);
    given(...running, linked).when({ type: "ResetConversation", data: {} }).rejects("session_busy");
  });
});

describe("UpdateSession", () => {
  it("records only the fields that change", () =>
    given(created)
      .when({ type: "UpdateSession", data: { context: "ctx", metadata: { a: 1 }, status: "archived" } })
      .then([{ type: "SessionUpdated", data: { context: "ctx", status: "archived" } }]));
  it("can clear the context back to null", () =>
    given(created, { type: "SessionUpdated", data: { context: "ctx" } })
      .when({ type: "UpdateSession", data: { context: null } })
      .then([{ type: "SessionUpdated", data: { context: null } }]));
  it("replaces metadata as a whole", () => {
    const state = fold([created, { type: "SessionUpdated", data: { metadata: { b: 2 } } }]);
    expect(state).toMatchObject({ metadata: { b: 2 } });
  });
  it("with nothing to change emits nothing (key order of metadata does not matter)", () =>
    given(created, { type: "SessionUpdated", data: { metadata: { x: 1, y: { p: 1, q: 2 } } } })
      .when({ type: "UpdateSession", data: { metadata: { y: { q: 2, p: 1 }, x: 1 }, status: "active" } })
      .then([]));
});

describe("DeleteSession", () => {
  it("deletes an idle session", () =>
    given(created, enqueued("p1")).when({ type: "DeleteSession", data: { reason: "user" } }).then([{ type: "SessionDeleted", data: { reason: "user" } }]));
  it("while a job runs, asks the runner to stop it first, then deletes", () =>
    given(...running)
      .when({ type: "DeleteSession", data: { reason: "user" } })
      .then([cancelRequested("p1", "j1"), { type: "SessionDeleted", data: { reason: "user" } }]));
  it("does not ask twice when a cancel is already requested", () =>
    given(...running, cancelRequested("p1", "j1")).when({ type: "DeleteSession", data: {} }).then([deleted]));
  it("after a delete the running job's end is refused as session_deleted (the runner treats it as final)", () => {
    const history = [...running, cancelRequested("p1", "j1"), deleted];
    given(...history).when({ type: "CancelJob", data: { jobId: "j1", signal: "SIGTERM" } }).rejects("session_deleted");
  });
  it("keeps the claude session id for the record", () => {
    const state = fold([...running, { type: "ClaudeSessionLinked", data: { jobId: "j1", claudeSessionId: "c1" } }, deleted]);
    expect(state).toMatchObject({ status: "deleted", claudeSessionId: "c1", reason: null });
  });
});

describe("EnqueuePrompt", () => {
  it("queues on an idle session, with the session's project path by default", () =>
    given(created).when(enqueue("p1")).then([enqueued("p1")]));
  it("keeps an explicit project path and options", () =>
    given(created)
      .when({ type: "EnqueuePrompt", data: { promptId: "p1", messageId: "m", prompt: "hi", projectPath: "/other", options: { model: "opus" } } })
      .then([{ type: "PromptEnqueued", data: { promptId: "p1", messageId: "m", prompt: "hi", projectPath: "/other", options: { model: "opus" } } }]));
  it("queues behind a running job with a visible position", () => {
    given(...running).when(enqueue("p2")).then([enqueued("p2")]);
    const state = fold([...running, enqueued("p2"), enqueued("p3")]);
    expect([queuePosition(state, "p1"), queuePosition(state, "p2"), queuePosition(state, "p3")]).toEqual([0, 1, 2]);
  });
  it("refuses a prompt id that is queued", () => given(created, enqueued("p1")).when(enqueue("p1")).rejects("prompt_exists"));
  it("refuses a prompt id that already ran", () =>
    given(...running, completed("j1", "p1")).when(enqueue("p1")).rejects("prompt_exists"));
  it("refuses a prompt id that was cancelled", () =>
    given(created, enqueued("p1"), { type: "PromptCancelled", data: { promptId: "p1", reason: "x" } })
      .when(enqueue("p1"))
      .rejects("prompt_exists"));
});

describe("CancelPrompt", () => {
  const cancel = (promptId: string, reason?: string): SessionCommand => ({
    type: "CancelPrompt",
    data: reason === undefined ? { promptId } : { promptId, reason },
  });
  it("removes a queued prompt and moves the others up", () => {
    given(...running, enqueued("p2"), enqueued("p3"))
      .when(cancel("p2", "changed my mind"))
      .then([{ type: "PromptCancelled", data: { promptId: "p2", reason: "changed my mind" } }]);
    const state = fold([...running, enqueued("p2"), enqueued("p3"), { type: "PromptCancelled", data: { promptId: "p2", reason: "x" } }]);
    expect([queuePosition(state, "p2"), queuePosition(state, "p3")]).toEqual([null, 1]);
  });
  it("gives a default reason", () =>
    given(created, enqueued("p1")).when(cancel("p1")).then([{ type: "PromptCancelled", data: { promptId: "p1", reason: "cancelled_by_user" } }]));
  it("asks the runner to kill a running prompt", () => given(...running).when(cancel("p1")).then([cancelRequested("p1", "j1")]));
  it("asking twice emits nothing more", () => given(...running, cancelRequested("p1", "j1")).when(cancel("p1")).then([]));
  it("refuses a prompt that completed", () =>
    given(...running, completed("j1", "p1")).when(cancel("p1")).rejects("prompt_already_finished"));
  it("refuses a prompt that was already cancelled", () =>
    given(created, enqueued("p1"), { type: "PromptCancelled", data: { promptId: "p1", reason: "x" } })
      .when(cancel("p1"))
      .rejects("prompt_already_finished"));
  it("refuses an unknown prompt", () => given(created).when(cancel("nope")).rejects("prompt_not_found"));
});

describe("StartJob", () => {
  it("starts the head of the queue when idle", () =>
    given(created, enqueued("p1"), enqueued("p2")).when(startJob("j1", "p1")).then([started("j1", "p1")]));
  it.each([
    ["completed", completed],
    ["failed", failed],
    ["cancelled", jobCancelled],
  ])("after a job %s the next queued prompt may start", (outcome, end) => {
    const history = [...running, enqueued("p2"), end("j1", "p1")];
    given(...history).when(startJob("j2", "p2")).then([started("j2", "p2")]);
    expect(fold(history)).toMatchObject({ running: null, lastJobStatus: outcome });
    expect(queuePosition(fold(history), "p2")).toBe(1);
  });
  it("refuses while another job runs", () => given(...running, enqueued("p2")).when(startJob("j2", "p2")).rejects("session_busy"));
  describe("on a session of a machine", () => {
    const onLaptop: DomainEvent = { type: "SessionCreated", data: { ...(created.data as object), machineId: "laptop" } as Extract<DomainEvent, { type: "SessionCreated" }>["data"] };
    const startOn = (machineId: string | undefined): SessionCommand => ({ type: "StartJob", data: { jobId: "j1", promptId: "p1", runnerId: "r1", leaseMs: 30_000, ...(machineId ? { machineId } : {}) } });
    it("a runner of that machine starts it", () =>
      given(onLaptop, enqueued("p1")).when(startOn("laptop")).then([{ type: "JobStarted", data: { jobId: "j1", promptId: "p1", runnerId: "r1", leaseMs: 30_000, machineId: "laptop" } }]));
    it("a runner of another machine is refused", () => given(onLaptop, enqueued("p1")).when(startOn("desktop")).rejects("wrong_machine"));
    it("a runner that names no machine is refused", () => given(onLaptop, enqueued("p1")).when(startOn(undefined)).rejects("wrong_machine"));
    it("a session of no machine (from before machines) runs on any", () =>
      given(created, enqueued("p1")).when(startOn("desktop")).then([{ type: "JobStarted", data: { jobId: "j1", promptId: "p1", runnerId: "r1", leaseMs: 30_000, machineId: "desktop" } }]));
  });
  it("repeating the running job's exact start is a no-op", () => given(...running).when(startJob("j1", "p1")).then([]));
  it("refuses a queued prompt that is not next", () =>
    given(created, enqueued("p1"), enqueued("p2")).when(startJob("j1", "p2")).rejects("not_queue_head"));
  it("refuses an unknown prompt", () => given(created, enqueued("p1")).when(startJob("j1", "px")).rejects("prompt_not_found"));
  it("refuses a finished prompt", () =>
    given(...running, completed("j1", "p1")).when(startJob("j2", "p1")).rejects("prompt_already_finished"));
  it("refuses a job id used before", () =>
    given(...running, completed("j1", "p1"), enqueued("p2")).when(startJob("j1", "p2")).rejects("job_exists"));
  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])("refuses a lease of %s ms", (leaseMs) =>
    given(created, enqueued("p1")).when(startJob("j1", "p1", leaseMs)).rejects("invalid_lease"));
});

const jobCommands = (jobId: string): SessionCommand[] => [
  { type: "RecordRunnerEvent", data: { jobId, seq: 1, kind: "assistant", message: {} } },
  { type: "LinkClaudeSession", data: { jobId, claudeSessionId: "c1" } },
  { type: "CompleteJob", data: { jobId, resultSubtype: "success", isError: false, exitCode: 0 } },
  { type: "FailJob", data: { jobId, reason: "crashed" } },
  { type: "CancelJob", data: { jobId } },
  { type: "RequestPermission", data: { jobId, requestId: "q1", toolName: "Bash", input: {} } },
];

describe("job commands name the running job", () => {
  it.each(jobCommands("j2").map((c) => [c.type, c] as const))("%s with another job id is job_not_running", (_t, command) =>
    given(...running).when(command).rejects("job_not_running"));
  it.each(jobCommands("j1").map((c) => [c.type, c] as const))("%s when nothing runs is job_not_running", (_t, command) =>
    given(created, enqueued("p1")).when(command).rejects("job_not_running"));
  it.each(jobCommands("j1").map((c) => [c.type, c] as const))("%s after the job ended is job_not_running", (_t, command) =>
    given(...running, completed("j1", "p1")).when(command).rejects("job_not_running"));
});

describe("RecordRunnerEvent", () => {
  const emitted: DomainEvent = { type: "RunnerEventEmitted", data: { jobId: "j1", seq: 3, kind: "assistant", message: { t: 1 } } };
  it("records the runner's message and changes nothing but the job's last seq", () => {
    given(...running).when({ type: "RecordRunnerEvent", data: emitted.data as never }).then([emitted]);
    const before = fold(running);
    if (before.status !== "open" || before.running === null) throw new Error("not running");
    expect(fold([...running, emitted])).toEqual({ ...before, running: { ...before.running, lastSeq: 3 } });
  });
  it("a line at or below the last recorded seq is a repeat: a no-op (a retried batch)", () => {
    given(...running, emitted).when({ type: "RecordRunnerEvent", data: emitted.data as never }).then([]);
    given(...running, emitted).when({ type: "RecordRunnerEvent", data: { ...(emitted.data as object), seq: 2 } as never }).then([]);
  });
  it("the next seq is recorded", () =>
    given(...running, emitted).when({ type: "RecordRunnerEvent", data: { ...(emitted.data as object), seq: 4 } as never })
      .then([{ type: "RunnerEventEmitted", data: { ...(emitted.data as object), seq: 4 } } as DomainEvent]));
});

describe("LinkClaudeSession", () => {
  const link = (id: string): SessionCommand => ({ type: "LinkClaudeSession", data: { jobId: "j1", claudeSessionId: id } });
  const linked = (id: string): DomainEvent => ({ type: "ClaudeSessionLinked", data: { jobId: "j1", claudeSessionId: id } });
  it("links the conversation", () => given(...running).when(link("c1")).then([linked("c1")]));
  it("linking the same id again is a no-op", () => given(...running, linked("c1")).when(link("c1")).then([]));
  it("a new id replaces the old one", () => {
    given(...running, linked("c1")).when(link("c2")).then([linked("c2")]);
    expect(fold([...running, linked("c1"), linked("c2")])).toMatchObject({ claudeSessionId: "c2" });
  });
});

describe("CompleteJob / FailJob / CancelJob", () => {
  it("completion names the job's prompt", () =>
    given(...running)
      .when({ type: "CompleteJob", data: { jobId: "j1", resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.01 } })
      .then([{ type: "JobCompleted", data: { jobId: "j1", promptId: "p1", resultSubtype: "success", isError: false, exitCode: 0, costUsd: 0.01 } }]));
  it("failure keeps exit code, signal and stderr", () =>
    given(...running)
      .when({ type: "FailJob", data: { jobId: "j1", reason: "exit", exitCode: 1, signal: null, stderrTail: "boom" } })
      .then([{ type: "JobFailed", data: { jobId: "j1", promptId: "p1", reason: "exit", exitCode: 1, signal: null, stderrTail: "boom" } }]));
  it("the runner confirms a cancel", () =>
    given(...running, cancelRequested("p1", "j1"))
      .when({ type: "CancelJob", data: { jobId: "j1", signal: "SIGTERM" } })
      .then([jobCancelled("j1", "p1")]));
  it("a cancelled job's prompt cannot be cancelled again", () =>
    given(...running, cancelRequested("p1", "j1"), jobCancelled("j1", "p1"))
      .when({ type: "CancelPrompt", data: { promptId: "p1" } })
      .rejects("prompt_already_finished"));
});

describe("RequestPermission / DecidePermission / ExpirePermission / CancelPermission", () => {
  type Decision = "allow" | "allow_always" | "deny";
  const decideP = (requestId: string, decision: Decision, extra: Record<string, unknown> = {}): SessionCommand => ({
    type: "DecidePermission",
    data: { requestId, decision, ...extra },
  });
  const decided = (behavior: "allow" | "deny", extra: Record<string, unknown> = {}): DomainEvent => ({
    type: "PermissionDecided",
    data: { jobId: "j1", requestId: "q1", behavior, ...extra },
  });
  const expired: DomainEvent = { type: "PermissionExpired", data: { jobId: "j1", requestId: "q1", message: "too late" } };
  const cancelledBy = (reason: "job_ended" | "cli_cancelled", requestId = "q1"): DomainEvent => ({ type: "PermissionCancelled", data: { jobId: "j1", requestId, reason } });
  const asked = [...running, permissionRequested("j1", "q1")];

  it("records the request, with its kind", () =>
    given(...running)
      .when({ type: "RequestPermission", data: { jobId: "j1", requestId: "q1", toolName: "Bash", input: { command: "ls" } } })
      .then([permissionRequested("j1", "q1")]));
  it.each([["AskUserQuestion", "question"], ["ExitPlanMode", "plan"], ["Write", "tool"]] as const)("a %s request is of kind %s", (toolName, kind) =>
    given(...running)
      .when({ type: "RequestPermission", data: { jobId: "j1", requestId: "q1", toolName, input: {} } })
      .then([{ type: "PermissionRequested", data: { jobId: "j1", requestId: "q1", toolName, input: {}, kind } }]));
  it("the same request again is a no-op (a retried batch)", () => given(...asked).when(jobCommands("j1")[5]!).then([]));
  it("refuses a request id reused for another tool", () =>
    given(...asked).when({ type: "RequestPermission", data: { jobId: "j1", requestId: "q1", toolName: "Write", input: {} } }).rejects("permission_exists"));
  it("the phone's answer names the job", () => given(...asked).when(decideP("q1", "allow")).then([decided("allow")]));
  it("a deny carries the person's message", () =>
    given(...asked).when(decideP("q1", "deny", { message: "not that file" })).then([decided("deny", { message: "not that file" })]));
  it("a question's answers and a plan's next mode are recorded with the allow", () => {
    given(...running, permissionRequested("j1", "q1", "AskUserQuestion")).when(decideP("q1", "allow", { answers: { "Which?": "B" } })).then([decided("allow", { answers: { "Which?": "B" } })]);
    given(...running, permissionRequested("j1", "q1", "ExitPlanMode")).when(decideP("q1", "allow", { permissionMode: "acceptEdits" })).then([decided("allow", { permissionMode: "acceptEdits" })]);
  });
  it("answers are only for questions, and a next mode only for allowing a plan", () => {
    given(...asked).when(decideP("q1", "allow", { answers: { "Which?": "B" } })).rejects("permission_answer_invalid");
    given(...asked).when(decideP("q1", "allow", { permissionMode: "acceptEdits" })).rejects("permission_answer_invalid");
    given(...running, permissionRequested("j1", "q1", "ExitPlanMode")).when(decideP("q1", "deny", { permissionMode: "default" })).rejects("permission_answer_invalid");
  });
  it("the running job keeps the answers, so its runner can deliver one it missed", () => {
    const state = fold([...asked, decided("deny", { message: "no" })]);
    expect(state.status === "open" && state.running?.answers).toEqual({ q1: { behavior: "deny", message: "no" } });
  });
  it("always allow remembers the CLI's suggested rule, else the tool", () => {
    const suggestion = { type: "addRules", rules: [{ toolName: "Bash", ruleContent: "npm test:*" }], behavior: "allow", destination: "session" };
    given(...running, permissionRequested("j1", "q1", "Bash", [suggestion])).when(decideP("q1", "allow_always")).then([decided("allow", { always: true, rules: ["Bash(npm test:*)"] })]);
    const setMode = { type: "setMode", mode: "acceptEdits", destination: "session" };
    given(...running, permissionRequested("j1", "q1", "Write", [setMode])).when(decideP("q1", "allow_always")).then([decided("allow", { always: true, rules: ["Write"] })]);
  });
  it("remembered rules stay with the session (deduplicated) and can be set", () => {
    const state = fold([...asked, decided("allow", { always: true, rules: ["Write"] }), completed("j1", "p1"), enqueued("p2"), started("j2", "p2"),
      permissionRequested("j2", "q2", "Write"), { type: "PermissionDecided", data: { jobId: "j2", requestId: "q2", behavior: "allow", always: true, rules: ["Write", "Edit"] } }]);
    expect(state.status === "open" && state.permissionRules).toEqual(["Write", "Edit"]);
    given(...asked, decided("allow", { always: true, rules: ["Write"] })).when({ type: "SetPermissionRules", data: { rules: [] } }).then([{ type: "PermissionRulesSet", data: { rules: [] } }]);
    given(...asked, decided("allow", { always: true, rules: ["Write"] })).when({ type: "SetPermissionRules", data: { rules: ["Write"] } }).then([]);
  });
  it("the same answer twice is a no-op", () => given(...asked, decided("deny")).when(decideP("q1", "deny")).then([]));
  it("a contradicting answer is refused", () => given(...asked, decided("deny")).when(decideP("q1", "allow")).rejects("permission_already_decided"));
  it("an unknown request is refused", () => given(...running).when(decideP("q9", "allow")).rejects("permission_not_found"));
  it("expiry answers no and is recorded; an answer after it is refused as not pending", () => {
    given(...asked).when({ type: "ExpirePermission", data: { requestId: "q1", message: "too late" } }).then([expired]);
    given(...asked, expired).when(decideP("q1", "allow")).rejects("permission_not_pending");
  });
  it("expiry or the CLI withdrawing an answered request changes nothing", () => {
    given(...asked, decided("allow")).when({ type: "ExpirePermission", data: { requestId: "q1", message: "too late" } }).then([]);
    given(...asked, decided("allow")).when({ type: "CancelPermission", data: { requestId: "q1" } }).then([]);
  });
  it("the CLI withdrawing a pending request cancels it", () =>
    given(...asked).when({ type: "CancelPermission", data: { requestId: "q1" } }).then([cancelledBy("cli_cancelled")]));
  it.each([
    ["CompleteJob", { type: "CompleteJob", data: { jobId: "j1", resultSubtype: "success", isError: false, exitCode: 0 } }, completed("j1", "p1")],
    ["FailJob", { type: "FailJob", data: { jobId: "j1", reason: "lease_expired" } }, failed("j1", "p1")],
    ["CancelJob", { type: "CancelJob", data: { jobId: "j1", signal: "SIGTERM" } }, jobCancelled("j1", "p1")],
  ] as const)("%s first cancels what the job left pending", (_name, command, end) =>
    given(...asked, permissionRequested("j1", "q2", "Write"), decided("allow"))
      .when(command as SessionCommand)
      .then([cancelledBy("job_ended", "q2"), end]));
  it("an answer to a request whose job ended is refused as not pending", () =>
    given(...asked, cancelledBy("job_ended"), failed("j1", "p1")).when(decideP("q1", "allow")).rejects("permission_not_pending"));
});

describe("state", () => {
  it("initialState is empty (the version is kept beside the state, by the command handler)", () => {
    expect(sessionDecider.initialState()).toEqual({ status: "empty" });
  });
  it("queuePosition is null for unknown or finished prompts and on non-open sessions", () => {
    const state = fold([...running, completed("j1", "p1")]);
    expect([queuePosition(state, "p1"), queuePosition(state, "zz"), queuePosition(sessionDecider.initialState(), "p1")]).toEqual([null, null, null]);
  });
  it("a deleted session ignores later events", () => {
    expect(fold([created, deleted, enqueued("p1")])).toEqual(fold([created, deleted]));
  });
});
