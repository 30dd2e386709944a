import { expect, it } from "vitest";
import { GENESIS_HASH, type Envelope } from "../../events/envelope.ts";
import { currentSchemaVersion, decodeEvent } from "../../events/registry.ts";

const stored = (type: string, schemaVersion: number, data: Record<string, unknown>): Envelope => ({
  eventId: "e-1", type, schemaVersion, sessionId: "s-1", version: 1, occurredAt: "2025-01-01T00:00:00.000Z", data,
  meta: { actor: "t", correlationId: "c", causationId: null, requestId: null }, prevHash: GENESIS_HASH, hash: "0".repeat(64),
});

it("a SessionCreated v1 (before machines) reads as a session of no machine that continues no conversation; a v2 one keeps its machine", () => {
  expect(currentSchemaVersion("SessionCreated")).toBe(3);
  const v1 = decodeEvent(stored("SessionCreated", 1, { projectPath: "/r/a", claudeDirectoryPath: "/c", context: null, metadata: {} }));
  expect(v1).toMatchObject({ known: true, data: { projectPath: "/r/a" } });
  expect((v1.data as { machineId?: string }).machineId).toBeUndefined();
  expect((v1.data as { claudeSessionId?: string }).claudeSessionId).toBeUndefined();
  const v2 = decodeEvent(stored("SessionCreated", 2, { projectPath: "/r/a", claudeDirectoryPath: "/c", context: null, metadata: {}, machineId: "laptop" }));
  expect(v2).toMatchObject({ known: true, data: { machineId: "laptop" } });
});

it("a JobStarted v1 names no machine; v2 names the runner's", () => {
  expect(currentSchemaVersion("JobStarted")).toBe(2);
  const v1 = decodeEvent(stored("JobStarted", 1, { jobId: "j", promptId: "p", runnerId: "r", leaseMs: 1000 }));
  expect(v1).toMatchObject({ known: true, data: { jobId: "j" } });
  expect(decodeEvent(stored("JobStarted", 2, { jobId: "j", promptId: "p", runnerId: "r", leaseMs: 1000, machineId: "desktop" }))).toMatchObject({ known: true, data: { machineId: "desktop" } });
});
