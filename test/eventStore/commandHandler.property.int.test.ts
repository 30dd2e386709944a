import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { verifyChain } from "../../events/envelope.ts";
import type { DomainEvent } from "../../events/registry.ts";
import { isDomainError } from "../../commands/errors.ts";
import { sessionDecider, type SessionCommand } from "../../commands/session/index.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import { createSessionCommandHandler } from "../../src/eventStore/sessionCommandHandler.ts";
import { createTestStore, testMeta } from "../support/redis.ts";

let store: EventStore;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ store, close } = await createTestStore(2));
});
afterAll(async () => close());

const HANDLERS = 3;
const SESSIONS = 2;

/** A command with ids from a small set, so that many are refused: the refusals are what is checked. */
const command = (run: string): fc.Arbitrary<SessionCommand> => {
  const prompt = fc.constantFrom(1, 2, 3).map((n) => `${run}-p${n}`);
  const job = fc.constantFrom(1, 2).map((n) => `${run}-j${n}`);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(create) },
    { weight: 2, arbitrary: fc.constantFrom("a", "b", null).map((context): SessionCommand => ({ type: "UpdateSession", data: { context } })) },
    { weight: 4, arbitrary: prompt.map((promptId): SessionCommand => ({ type: "EnqueuePrompt", data: { promptId, messageId: `m-${promptId}`, prompt: "hi" } })) },
    { weight: 2, arbitrary: prompt.map((promptId): SessionCommand => ({ type: "CancelPrompt", data: { promptId } })) },
    { weight: 3, arbitrary: fc.tuple(job, prompt).map(([jobId, promptId]): SessionCommand => ({ type: "StartJob", data: { jobId, promptId, runnerId: "r", leaseMs: 1000 } })) },
    { weight: 3, arbitrary: fc.tuple(job, fc.nat(3)).map(([jobId, seq]): SessionCommand => ({ type: "RecordRunnerEvent", data: { jobId, seq, kind: "assistant", message: { seq } } })) },
    { weight: 2, arbitrary: job.map((jobId): SessionCommand => ({ type: "CompleteJob", data: { jobId, resultSubtype: "success", isError: false, exitCode: 0 } })) },
    { weight: 1, arbitrary: fc.constant<SessionCommand>({ type: "DeleteSession", data: {} }) },
  );
};

const create: SessionCommand = { type: "CreateSession", data: { projectPath: "/p", claudeDirectoryPath: "/c", context: null, metadata: {} } };

type Step = { readonly session: number; readonly handler: number; readonly delayMs: number; readonly command: SessionCommand };
type Outcome =
  | { readonly kind: "applied"; readonly events: readonly DomainEvent[]; readonly from: number }
  | { readonly kind: "unchanged"; readonly at: number }
  | { readonly kind: "refused"; readonly code: string; readonly at: number };

const steps = (run: string) =>
  fc.array(fc.record({ session: fc.nat(SESSIONS - 1), handler: fc.nat(HANDLERS - 1), delayMs: fc.nat(5), command: command(run) }), { minLength: 10, maxLength: 40 });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The order the log shows: every applied command at the version it decided on, and every
 * refusal or empty decision at the version it was decided on, before the command that moved
 * the session on from there.
 */
const logOrder = (outcomes: readonly { step: Step; outcome: Outcome }[]) =>
  [...outcomes].sort((a, b) => {
    const at = (o: Outcome) => (o.kind === "applied" ? o.from : o.at);
    return at(a.outcome) - at(b.outcome) || (a.outcome.kind === "applied" ? 1 : 0) - (b.outcome.kind === "applied" ? 1 : 0);
  });

it("commands sent at once through several handlers apply or are refused exactly as one-at-a-time in log order, and the log is that history", async () => {
  await fc.assert(
    // Ids are per session and every run has fresh sessions: runs never see each other.
    fc.asyncProperty(steps("x"), async (plan) => {
      const handlers = Array.from({ length: HANDLERS }, () => createSessionCommandHandler(store));
      const sessions = Array.from({ length: SESSIONS }, () => randomUUID());
      // Every session exists and every handler has folded it: from here on, each one's fold goes stale.
      for (const sessionId of sessions) await handlers[0]?.execute(sessionId, create, { meta: testMeta });
      for (const handler of handlers) for (const sessionId of sessions) await handler.read(sessionId);
      const prelude: { step: Step; outcome: Outcome }[] = sessions.map((_, session) => ({ step: { session, handler: 0, delayMs: 0, command: create }, outcome: { kind: "applied", events: [{ type: "SessionCreated", data: create.data } as DomainEvent], from: 0 } }));
      const concurrent = await Promise.all(plan.map(async (step) => {
        await sleep(step.delayMs);
        const handler = handlers[step.handler] ?? handlers[0]!;
        try {
          const done = await handler.execute(sessions[step.session] ?? "", step.command, { meta: testMeta });
          const outcome: Outcome = done.events.length > 0 ? { kind: "applied", events: done.events, from: done.version - done.events.length } : { kind: "unchanged", at: done.version };
          return { step, outcome };
        } catch (error) {
          if (!isDomainError(error) || error.version === undefined) throw error;
          return { step, outcome: { kind: "refused", code: error.code, at: error.version } as Outcome };
        }
      }));
      const outcomes = [...prelude, ...concurrent];
      for (const [index, sessionId] of sessions.entries()) {
        let state = sessionDecider.initialState();
        const history: DomainEvent[] = [];
        for (const { step, outcome } of logOrder(outcomes.filter(({ step }) => step.session === index))) {
          let decided: readonly DomainEvent[] | string;
          try {
            decided = sessionDecider.decide(step.command, state);
          } catch (error) {
            if (!isDomainError(error)) throw error;
            decided = error.code;
          }
          if (outcome.kind === "refused") expect(decided).toBe(outcome.code);
          else expect(decided).toEqual(outcome.kind === "applied" ? outcome.events : []);
          if (outcome.kind === "applied") {
            expect(outcome.from).toBe(history.length);
            history.push(...outcome.events);
            state = outcome.events.reduce(sessionDecider.evolve, state);
          }
        }
        const stored = (await store.readSession(sessionId)).events;
        expect(stored.map(({ type, data }) => ({ type, data }))).toEqual(history);
        expect(verifyChain(sessionId, [...stored]).ok).toBe(true);
      }
    }),
    { numRuns: 25 },
  );
}, 120_000);
