import fc from "fast-check";
import * as HashMap from "effect/HashMap";
import { describe, expect, it } from "vitest";
import { validateNewEvent, type DomainEvent } from "../../events/registry.ts";
import { domainErrorCodes, isDomainError, type DomainErrorCode } from "../../commands/errors.ts";
import {
  decide,
  evolve,
  fold,
  initialState,
  queuePosition,
  type SessionCommand,
  type SessionState,
} from "../../commands/session/index.ts";

// Small id pools so that commands collide with each other: duplicates, wrong jobs, heads.
// `@` ids are resolved against the current state when the command runs (see `resolve`), so a
// good share of the random commands aim at the running job or the queue head and get accepted.
const promptId = fc.constantFrom("p1", "p2", "p3", "p4", "p5", "p6", "@head", "@head", "@running");
const jobId = fc.constantFrom("j1", "j2", "j3", "j4", "@running", "@running", "@running");
const requestId = fc.constantFrom("q1", "q2", "q3", "@pending");
const metadata = fc.dictionary(fc.constantFrom("a", "b"), fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant("x")));

const createSession = fc.record({
  type: fc.constant("CreateSession" as const),
  data: fc.record({
    projectPath: fc.constant("/repos/app"),
    claudeDirectoryPath: fc.constant("/h/.claude/projects/-repos-app"),
    context: fc.constantFrom(null, "ctx"),
    metadata,
    machineId: fc.constantFrom("m1", "m1", "m1", undefined),
  }, { requiredKeys: ["projectPath", "claudeDirectoryPath", "context", "metadata"] }),
});

const command: fc.Arbitrary<SessionCommand> = fc.oneof(
  { arbitrary: createSession, weight: 1 },
  {
    arbitrary: fc.record(
      { context: fc.constantFrom(null, "ctx", "other"), metadata, status: fc.constantFrom("active" as const, "inactive" as const, "archived" as const) },
      { requiredKeys: [] },
    ).map((data): SessionCommand => ({ type: "UpdateSession", data })),
    weight: 3,
  },
  { arbitrary: fc.constant<SessionCommand>({ type: "DeleteSession", data: {} }), weight: 1 },
  {
    arbitrary: fc.tuple(promptId, fc.option(fc.record({ model: fc.constant("opus") }), { nil: undefined })).map(
      ([id, options]): SessionCommand => ({
        type: "EnqueuePrompt",
        data: { promptId: id, messageId: `m-${id}`, prompt: `do ${id}`, ...(options ? { options } : {}) },
      }),
    ),
    weight: 24,
  },
  { arbitrary: promptId.map((id): SessionCommand => ({ type: "CancelPrompt", data: { promptId: id } })), weight: 9 },
  {
    arbitrary: fc.tuple(jobId, promptId, fc.constantFrom(30_000, 30_000, 0), fc.constantFrom("m1", "m1", "m1", "m2")).map(
      ([job, prompt, leaseMs, machineId]): SessionCommand => ({ type: "StartJob", data: { jobId: job, promptId: prompt, runnerId: "r1", leaseMs, machineId } }),
    ),
    weight: 30,
  },
  {
    arbitrary: fc.tuple(jobId, fc.nat(100)).map(([job, seq]): SessionCommand => ({
      type: "RecordRunnerEvent",
      data: { jobId: job, seq, kind: "assistant", message: { seq } },
    })),
    weight: 9,
  },
  {
    arbitrary: fc.tuple(jobId, fc.constantFrom("c1", "c2")).map(([job, id]): SessionCommand => ({
      type: "LinkClaudeSession",
      data: { jobId: job, claudeSessionId: id },
    })),
    weight: 9,
  },
  {
    arbitrary: jobId.map((job): SessionCommand => ({ type: "CompleteJob", data: { jobId: job, resultSubtype: "success", isError: false, exitCode: 0 } })),
    weight: 9,
  },
  { arbitrary: jobId.map((job): SessionCommand => ({ type: "FailJob", data: { jobId: job, reason: "crashed", exitCode: 1 } })), weight: 6 },
  { arbitrary: jobId.map((job): SessionCommand => ({ type: "CancelJob", data: { jobId: job, signal: "SIGTERM" } })), weight: 6 },
  {
    arbitrary: fc.tuple(jobId, requestId, fc.constantFrom("Bash", "Write")).map(([job, id, toolName]): SessionCommand => ({
      type: "RequestPermission",
      data: { jobId: job, requestId: id, toolName, input: { command: "ls" } },
    })),
    weight: 12,
  },
  {
    arbitrary: fc.tuple(
      requestId,
      fc.constantFrom("allow" as const, "allow_always" as const, "deny" as const),
      fc.constantFrom({}, {}, {}, { answers: { "Which?": "B" } }, { permissionMode: "acceptEdits" }),
    ).map(([id, decision, extra]): SessionCommand => ({
      type: "DecidePermission",
      data: { requestId: id, decision, ...extra },
    })),
    weight: 12,
  },
  { arbitrary: requestId.map((id): SessionCommand => ({ type: "ExpirePermission", data: { requestId: id, message: "expired" } })), weight: 3 },
  { arbitrary: requestId.map((id): SessionCommand => ({ type: "CancelPermission", data: { requestId: id } })), weight: 3 },
);

// Most histories start with a create, so the rest of the commands get past session_not_found.
const commands = fc.tuple(fc.option(createSession, { freq: 8, nil: undefined }), fc.array(command, { maxLength: 80, size: "max" })).map(
  ([create, rest]): SessionCommand[] => (create ? [create, ...rest] : rest),
);

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
};

const resolveId = (state: SessionState, key: string, id: unknown): unknown => {
  if (typeof id !== "string" || !id.startsWith("@") || state.status !== "open") return id;
  if (key === "jobId") return state.running?.jobId ?? "j1";
  if (key === "requestId") return state.running?.pending[0] ?? [...HashMap.keys(state.permissions)][0] ?? "q1";
  return (id === "@head" ? state.queue[0]?.promptId : state.running?.promptId) ?? "p1";
};

const resolve = (state: SessionState, cmd: SessionCommand): SessionCommand => {
  const data = Object.fromEntries(Object.entries(cmd.data).map(([key, value]) => [key, resolveId(state, key, value)]));
  return { ...cmd, data } as SessionCommand;
};

const seenCodes = new Set<DomainErrorCode>();

/** Runs the commands like the command handler would, checking the invariants after each one. */
const run = (sequence: SessionCommand[], check: (state: SessionState, log: DomainEvent[]) => void): void => {
  let state = deepFreeze(initialState());
  const log: DomainEvent[] = [];
  for (const generated of sequence) {
    const cmd = resolve(state, generated);
    let events: DomainEvent[];
    try {
      events = decide(deepFreeze(cmd), state);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      seenCodes.add(error.code);
      continue;
    }
    expect(decide(cmd, state)).toEqual(events);
    for (const event of events) {
      validateNewEvent(event);
      state = deepFreeze(evolve(state, event));
    }
    log.push(...events);
    check(state, log);
  }
};

const promptIdsOf = (log: DomainEvent[], type: "PromptEnqueued" | "JobStarted"): string[] =>
  log.flatMap((event) => (event.type === type ? [event.data.promptId] : []));

/** A session is never deleted with a job running that nobody asked to stop. */
const checkDeleteStopsJob = (state: SessionState, log: DomainEvent[]): void => {
  if (state.status !== "deleted" || log.at(-1)?.type !== "SessionDeleted") return;
  const before = fold(log.slice(0, -1));
  if (before.status === "open" && before.running !== null) expect(before.running.cancelRequested).toBe(true);
};

const checkInvariants = (state: SessionState, log: DomainEvent[]): void => {
  checkDeleteStopsJob(state, log);
  // First in, first out: prompts start in the order they were enqueued (skipping cancelled ones).
  const startedOrder = promptIdsOf(log, "JobStarted");
  expect(promptIdsOf(log, "PromptEnqueued").filter((id) => startedOrder.includes(id))).toEqual(startedOrder);
  if (state.status !== "open") return;
  const queued = state.queue.map((prompt) => prompt.promptId);
  expect(new Set(queued).size).toBe(queued.length);
  const phases = [...HashMap.entries(state.prompts)];
  const runningPrompts = phases.filter(([, phase]) => phase === "running");
  expect(runningPrompts.map(([id]) => id)).toEqual(state.running ? [state.running.promptId] : []);
  expect(phases.filter(([, phase]) => phase === "queued").map(([id]) => id).sort()).toEqual([...queued].sort());
  expect(queued.map((id) => queuePosition(state, id))).toEqual(queued.map((_, index) => index + 1));
  if (state.running) expect(queuePosition(state, state.running.promptId)).toBe(0);
  checkNothingPendingAfterItsJob(state);
};

/** No sequence of commands leaves a request pending once its job has ended. */
const checkNothingPendingAfterItsJob = (state: SessionState): void => {
  if (state.status !== "open") return;
  const pending = [...HashMap.entries(state.permissions)].filter(([, record]) => record.status === "pending");
  for (const [, record] of pending) expect(record.jobId).toBe(state.running?.jobId);
  expect(pending.map(([id]) => id).sort()).toEqual([...(state.running?.pending ?? [])].sort());
};

describe("session decider properties", () => {
  it("any sequence of commands is either refused with a DomainError or folds, keeping the invariants", () => {
    fc.assert(fc.property(commands, (sequence) => run(sequence, checkInvariants)), { numRuns: 400 });
  });

  it("replaying the stored events (as JSON) from scratch gives the state the decider saw", () => {
    fc.assert(
      fc.property(commands, (sequence) =>
        run(sequence, (state, log) => {
          const stored = JSON.parse(JSON.stringify(log)) as DomainEvent[];
          expect(fold(stored)).toEqual(state);
        }),
      ),
      { numRuns: 200 },
    );
  });

  it("whenever nothing runs, the head of the queue can start", () => {
    fc.assert(
      fc.property(commands, (sequence) =>
        run(sequence, (state) => {
          if (state.status !== "open" || state.running !== null) return;
          const head = state.queue[0];
          if (!head) return;
          const data = { jobId: "fresh-never-used", promptId: head.promptId, runnerId: "r9", leaseMs: 1000, machineId: state.machineId ?? "any" };
          expect(decide({ type: "StartJob", data }, state)).toEqual([{ type: "JobStarted", data }]);
        }),
      ),
      { numRuns: 200 },
    );
  });

  // Random histories reach every rejection in the table, so no code is dead and none is
  // unreachable. Self-contained: it samples its own histories (seeded, so it is repeatable).
  it("random histories hit every error code in the table", () => {
    for (const sequence of fc.sample(commands, { numRuns: 600, seed: 42 })) run(sequence, () => undefined);
    expect([...seenCodes].sort()).toEqual(Object.keys(domainErrorCodes).sort());
  });
});
