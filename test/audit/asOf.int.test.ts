import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The prefix the test names, projected in memory: asOf must resolve each position to exactly that prefix.
import { projectInMemory } from "../../projections/sessions/applyEvent.ts";
import { toSessionView } from "../../src/readModels/sessionReads.ts";
import { createAuditApp, seedSession, type AuditApp, type SeededEvent } from "./support.ts";

let t: AuditApp;
const lagging = randomUUID();
const unarchived = randomUUID();
const seeded: Record<string, SeededEvent[]> = {};

beforeAll(async () => {
  t = await createAuditApp();
  seeded[lagging] = await seedSession(t.commands, lagging);
  seeded[unarchived] = await seedSession(t.commands, unarchived);
  await t.settled();
  // The archive has only versions 1-5 of one session, and nothing of the other: the rest is
  // still on its way (archive lag).
  await sql`delete from event_archive where session_id = ${lagging} and version > 5`.execute(t.db);
  await sql`delete from event_archive where session_id = ${unarchived}`.execute(t.db);
}, 60_000);
afterAll(async () => {
  await t.close();
});

/** Projects the first `version` events of the session the way the read model does, in memory. */
const replayPrefix = async (sessionId: string, version: number) => {
  const row = projectInMemory(await t.store.readEvents(sessionId, 1, version)).sessions.get(sessionId);
  // These sessions belong to no machine (written through the decider without one).
  return row ? { ...toSessionView(row), machine: null } : null;
};

const asOf = (sessionId: string, point: string) =>
  t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${sessionId}?asOf=${encodeURIComponent(point)}`, headers: t.as.auditor });

describe("GET /api/claude-code/sessions/:id?asOf", () => {
  for (const [name, sessionId] of [["archive lagging behind", lagging], ["nothing archived", unarchived]] as const) {
    it(`at each event's position equals replaying the history up to it (${name})`, async () => {
      for (const event of seeded[sessionId] ?? []) {
        const response = await asOf(sessionId, event.position);
        expect(response.statusCode, `version ${event.version}`).toBe(200);
        expect(response.headers["x-as-of-version"]).toBe(String(event.version));
        expect(response.json(), `version ${event.version}`).toEqual(await replayPrefix(sessionId, event.version));
      }
    });
  }

  it("at a time: the events that had happened by then; at a version: that prefix", async () => {
    const events = seeded[lagging] ?? [];
    const third = events[2];
    if (!third) throw new Error("seed");
    const halfSecondLater = new Date(Date.parse(third.at) + 500).toISOString();
    const byTime = await asOf(lagging, halfSecondLater);
    expect(byTime.headers["x-as-of-version"]).toBe("3");
    expect(byTime.json()).toMatchObject({ isWorking: true, currentJobId: expect.any(String), claudeCodeSessionId: null });
    expect(byTime.json()).toEqual((await asOf(lagging, "3")).json());
    expect((await asOf(lagging, events.at(-1)?.at ?? "")).json()).toMatchObject({ context: "reviewed", lastJobStatus: "completed", isWorking: false });
  });

  it("at the head equals the ordinary read", async () => {
    const head = seeded[unarchived]?.at(-1)?.position ?? "";
    const current = await t.app.inject({ method: "GET", url: `/api/claude-code/sessions/${unarchived}?minPosition=${encodeURIComponent(head)}`, headers: t.as.mobile });
    expect(current.headers["x-read-fresh"]).toBe("true");
    expect((await asOf(unarchived, head)).json()).toEqual(current.json());
  });

  it("before the session existed, or after it was deleted, there is no session (404); before the deletion there is", async () => {
    expect((await asOf(lagging, "2024-12-31T00:00:00Z")).statusCode).toBe(404);
    const deleted = await t.commands.execute(unarchived, { type: "DeleteSession", data: {} }, { meta: { actor: "phone", correlationId: "c", causationId: null, requestId: null } });
    // Still nothing of this session in the archive (the projector archived the deletion meanwhile).
    await t.settled();
    await sql`delete from event_archive where session_id = ${unarchived}`.execute(t.db);
    expect((await asOf(unarchived, deleted.position ?? "")).statusCode).toBe(404);
    expect((await asOf(unarchived, seeded[unarchived]?.at(-1)?.position ?? "")).statusCode).toBe(200);
  });

  it("refuses a malformed point, and a position from another partition", async () => {
    for (const point of ["yesterday", "2025-01-01T10:00:00", "2025-01-01"]) {
      const bad = await asOf(lagging, point);
      expect(bad.statusCode, point).toBe(400);
      expect(bad.json<{ code: string }>().code).toBe("validation_failed");
    }
    const partition = t.store.partitionFor(lagging);
    const other = await asOf(lagging, `${(partition + 1) % t.store.partitions}:1-0`);
    expect(other.statusCode).toBe(400);
    expect(other.json<{ detail: string }>().detail).toMatch(/partition/);
  });
});
