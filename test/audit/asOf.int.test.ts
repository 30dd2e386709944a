import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// An independent fold of the session stream: the oracle for "asOf equals replaying the prefix".
import { createAggregateReads } from "../support/aggregateReads.ts";
import { createTestStore } from "../support/redis.ts";
import { archiveAll, createAuditApp, seedSession, type AuditApp, type SeededEvent } from "./support.ts";

let t: AuditApp;
const lagging = randomUUID();
const unarchived = randomUUID();
const seeded: Record<string, SeededEvent[]> = {};

beforeAll(async () => {
  t = await createAuditApp();
  seeded[lagging] = await seedSession(t.commands, lagging);
  await archiveAll(t.store, t.db);
  // The archive has only versions 1-5: the rest is still on its way (archive lag).
  await sql`delete from event_archive where session_id = ${lagging} and version > 5`.execute(t.db);
  seeded[unarchived] = await seedSession(t.commands, unarchived);
}, 60_000);
afterAll(async () => {
  await t.close();
});

/** Replays the first `version` events of the session into an empty store and reads it back the ordinary way. */
const replayPrefix = async (sessionId: string, version: number) => {
  const copy = await createTestStore(t.store.partitions);
  try {
    const entries = await t.redis.xrange(t.store.keys.sessionStream(t.store.partitionFor(sessionId), sessionId), "-", `0-${version}`);
    const key = copy.store.keys.sessionStream(copy.store.partitionFor(sessionId), sessionId);
    for (const [entryId, fields] of entries) await copy.redis.xadd(key, entryId, ...fields);
    return await createAggregateReads(copy.store).getSession(sessionId);
  } finally {
    await copy.close();
  }
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
    const deleted = await t.commands(unarchived, { type: "DeleteSession", data: {} }, { meta: { actor: "phone", correlationId: "c", causationId: null, requestId: null } });
    expect((await asOf(unarchived, deleted.result.position ?? "")).statusCode).toBe(404);
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
