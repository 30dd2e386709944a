import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { retryAfterMs, webhookSignature } from "../../src/push/channels.ts";
import { retryDelayMs } from "../../src/push/deliveries.ts";
import { isAfter } from "../../src/eventStore/position.ts";
import { payloadOf, triggerOf } from "../../src/push/triggers.ts";
import type { Envelope } from "../../events/envelope.ts";
import { decodeEvent } from "../../events/registry.ts";

const envelope = (type: string, data: Record<string, unknown>, schemaVersion = 1): Envelope => ({
  eventId: "e-1", type, schemaVersion, sessionId: "s-1", version: 3, occurredAt: "2026-01-01T00:00:00.000Z", data,
  meta: { actor: "runner", correlationId: "c", causationId: null, requestId: null }, prevHash: "p", hash: "h",
});

describe("push, pure parts", () => {
  it("Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000);
    expect(retryAfterMs("soon")).toBeNull();
    expect(retryAfterMs(undefined)).toBeNull();
  });

  it("backoff grows, is jittered, honours Retry-After and never passes the cap", () => {
    const policy = { maxAttempts: 5, baseMs: 100, maxMs: 5000 };
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.option(fc.integer({ min: 0, max: 100_000 })), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempts, after, random) => {
      const delay = retryDelayMs(attempts, after, policy, () => random);
      expect(delay).toBeLessThanOrEqual(policy.maxMs);
      expect(delay).toBeGreaterThanOrEqual(Math.min(policy.maxMs, after ?? 0, Math.min(policy.maxMs, 100 * 2 ** (attempts - 1)) / 2));
    }));
  });

  it("orders stream entry ids numerically", () => {
    expect(isAfter("10-0", "9-5")).toBe(true);
    expect(isAfter("9-10", "9-9")).toBe(true);
    expect(isAfter("9-9", "9-9")).toBe(false);
    expect(isAfter("1-0", null)).toBe(true);
  });

  it("signs the exact body bytes", () => {
    // RFC 4231, test case 2.
    expect(webhookSignature("Jefe", "what do ya want for nothing?")).toBe("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    expect(webhookSignature("key", "{\"a\":1}")).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(webhookSignature("key", "{\"a\":1}")).not.toBe(webhookSignature("key", "{\"a\": 1}"));
  });

  it("a payload stays small whatever the event carries", () => {
    fc.assert(fc.property(fc.string({ maxLength: 20_000 }), fc.string({ maxLength: 5000 }), (text, tool) => {
      const completed = triggerOf(decodeEvent(envelope("JobCompleted", { jobId: "j", promptId: "p", resultSubtype: "success", isError: false, exitCode: 0, resultText: text }, 2)));
      const asked = triggerOf(decodeEvent(envelope("PermissionRequested", { jobId: "j", requestId: "r", toolName: tool, input: { command: text }, kind: "tool" }, 2)));
      for (const trigger of [completed, asked]) {
        if (trigger === null) throw new Error("no trigger");
        expect(Buffer.byteLength(JSON.stringify(payloadOf(trigger, "p")))).toBeLessThan(4096);
      }
    }));
  });

  it("the kinds of a permission request and the job ends are triggers; other events are not", () => {
    const question = triggerOf(decodeEvent(envelope("PermissionRequested", { jobId: "j", requestId: "r", toolName: "AskUserQuestion", input: { questions: [{ question: "Which one?" }] }, kind: "question" }, 2)));
    expect(question).toMatchObject({ trigger: "permission_question", body: "Which one?", requestId: "r" });
    const plan = triggerOf(decodeEvent(envelope("PermissionRequested", { jobId: "j", requestId: "r", toolName: "ExitPlanMode", input: { plan: "1. do it" }, kind: "plan" }, 2)));
    expect(plan).toMatchObject({ trigger: "permission_plan", body: "1. do it" });
    const failed = triggerOf(decodeEvent(envelope("JobFailed", { jobId: "j", promptId: "p", reason: "runner_lost" })));
    expect(failed).toMatchObject({ trigger: "job_failed", body: "runner_lost", promptId: "p" });
    expect(triggerOf(decodeEvent(envelope("JobStarted", { jobId: "j", promptId: "p", runnerId: "r", leaseMs: 1 }, 2)))).toBeNull();
  });
});
