import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealEnvelope, type Envelope } from "../../events/envelope.ts";
import { runEvents } from "../../src/cli/events.ts";
import { envelopeOfFields } from "../../src/eventStore/entryCodec.ts";
import { createAuditApp, seedSession, type AuditApp } from "./support.ts";

let t: AuditApp;
const ids = { untouched: randomUUID(), altered: randomUUID(), deleted: randomUUID(), swapped: randomUUID(), redisGap: randomUUID(), diverged: randomUUID() };

/**
 * One tampered archive column per session, edited with SQL as an attacker with database access
 * would, and what verification must say: the first bad version and why.
 */
interface Tamper {
  readonly column: string;
  readonly version: number;
  readonly reason: string;
  readonly detail?: string;
  readonly edit: (sessionId: string) => Promise<unknown>;
}

const set = (change: ReturnType<typeof sql>) => (version: number) => (sessionId: string) =>
  sql`update event_archive set ${change} where session_id = ${sessionId} and version = ${version}`.execute(t.db);

interface Place { entry_ms: string; entry_seq: string; entry_id: string }
const placeOf = async (sessionId: string, version: number) =>
  (await sql<Place>`select entry_ms, entry_seq, entry_id from event_archive where session_id = ${sessionId} and version = ${version}`.execute(t.db)).rows[0];
const moveTo = (sessionId: string, version: number, place: Place) =>
  sql`update event_archive set entry_ms = ${place.entry_ms}, entry_seq = ${place.entry_seq}, entry_id = ${place.entry_id}
      where session_id = ${sessionId} and version = ${version}`.execute(t.db);

/** Swaps the log positions of two events (through a free one: the position is the primary key), entry_id kept consistent. */
const swapPositions = (a: number, b: number) => async (sessionId: string) => {
  const [first, second] = [await placeOf(sessionId, a), await placeOf(sessionId, b)];
  if (!first || !second) throw new Error("no such events");
  await moveTo(sessionId, a, { entry_ms: "-1", entry_seq: "-1", entry_id: "-1--1" });
  await moveTo(sessionId, b, first);
  await moveTo(sessionId, a, second);
};

const tampers: readonly Tamper[] = [
  { column: "actor", version: 4, reason: "column_mismatch", detail: "actor", edit: set(sql`actor = 'mallory'`)(4) },
  { column: "type", version: 3, reason: "hash_mismatch", edit: set(sql`type = 'SessionDeleted'`)(3) },
  { column: "session_id", version: 6, reason: "version_gap", edit: set(sql`session_id = ${randomUUID()}`)(6) },
  { column: "version", version: 7, reason: "version_gap", edit: set(sql`version = 70`)(7) },
  { column: "occurred_at", version: 2, reason: "hash_mismatch", edit: set(sql`occurred_at = '2024-12-31T09:00:00.000Z'`)(2) },
  { column: "event_id", version: 5, reason: "hash_mismatch", edit: set(sql`event_id = ${randomUUID()}`)(5) },
  { column: "schema_version", version: 4, reason: "hash_mismatch", edit: set(sql`schema_version = 2`)(4) },
  { column: "data", version: 8, reason: "hash_mismatch", edit: set(sql`data = replace(data::text, 'second', 'TAMPERED')::json`)(8) },
  { column: "meta", version: 3, reason: "hash_mismatch", edit: set(sql`meta = jsonb_set(meta::jsonb, '{correlationId}', '"c-forged"')::json`)(3) },
  { column: "prev_hash", version: 4, reason: "prev_hash_mismatch", edit: set(sql`prev_hash = repeat('f', 64)`)(4) },
  { column: "hash", version: 5, reason: "hash_mismatch", edit: set(sql`hash = repeat('a', 64)`)(5) },
  { column: "entry_ms/entry_seq (swap)", version: 2, reason: "position_order", edit: swapPositions(2, 3) },
  {
    column: "entry_ms (one event moved later)", version: 5, reason: "position_order",
    edit: set(sql`entry_ms = entry_ms + 100000, entry_id = (entry_ms + 100000)::text || '-' || entry_seq::text`)(5),
  },
  { column: "entry_id", version: 6, reason: "column_mismatch", detail: "entry_id", edit: set(sql`entry_id = '1-1'`)(6) },
  { column: "partition", version: 3, reason: "column_mismatch", detail: "partition", edit: set(sql`partition = partition + 1000`)(3) },
];
const tamperedIds = tampers.map(() => randomUUID());

const cli = async (...args: string[]) => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  const err: string[] = [];
  const code = await runEvents(args, { store: t.store, db: t.db, out, err: { write: (text: string) => err.push(text) } });
  return { code, out: Buffer.concat(chunks).toString("utf8"), err: err.join("") };
};

const verifyApi = async (sessionId: string) => {
  const response = await t.app.inject({ method: "GET", url: `/api/audit/sessions/${sessionId}/verify`, headers: t.as.auditor });
  expect(response.statusCode).toBe(200);
  return response.json<{ ok: boolean; events: number; firstBadVersion?: number; reason?: string; source?: string; redis: { ok: boolean }; archive: { ok: boolean } }>();
};

const streamKey = (sessionId: string) => t.sessionStreamKey(sessionId);

/** Rewrites a session stream in Redis with `change` applied to one version and the chain re-sealed after it: a forger's copy. */
const forgeRedis = async (sessionId: string, version: number, change: (envelope: Envelope) => Envelope) => {
  const entries = await t.redis.xrange(streamKey(sessionId), "-", "+");
  const envelopes = entries.map(([entryId, fields]) => envelopeOfFields(entryId, fields));
  await t.redis.del(streamKey(sessionId));
  let prevHash = envelopes[0]?.prevHash ?? "";
  for (const original of envelopes) {
    const { hash: _hash, ...rest } = original.version === version ? change(original) : original;
    const { envelope, body } = sealEnvelope({ ...rest, prevHash });
    await t.redis.xadd(streamKey(sessionId), `0-${envelope.version}`, "t", envelope.type, "e", body, "h", envelope.hash);
    prevHash = envelope.hash;
  }
};

beforeAll(async () => {
  t = await createAuditApp();
  for (const sessionId of [...Object.values(ids), ...tamperedIds]) await seedSession(t.commands, sessionId);
  await t.settled();
  for (const [index, tamper] of tampers.entries()) await tamper.edit(tamperedIds[index] ?? "");
  // One byte of one archived event: "hello world" → "hellp world" in version 2.
  await sql`update event_archive set data = replace(data::text, 'hello', 'hellp')::json where session_id = ${ids.altered} and version = 2`.execute(t.db);
  await sql`delete from event_archive where session_id = ${ids.deleted} and version = 5`.execute(t.db);
  // Swap versions 3 and 6 (through a free number: (session_id, version) is unique).
  const swap = (from: number, to: number) => sql`update event_archive set version = ${to} where session_id = ${ids.swapped} and version = ${from}`.execute(t.db);
  await swap(3, -1);
  await swap(6, 3);
  await swap(-1, 6);
  await t.redis.xdel(streamKey(ids.redisGap), "0-4");
  await forgeRedis(ids.diverged, 5, (envelope) => ({ ...envelope, meta: { ...envelope.meta, actor: "mallory" } }));
}, 60_000);
afterAll(async () => {
  await t.close();
});

describe("verify a session's history (API)", () => {
  it("an untouched history verifies in both copies", async () => {
    const verdict = await verifyApi(ids.untouched);
    expect(verdict).toMatchObject({ ok: true, events: 8, redis: { ok: true, events: 8 }, archive: { ok: true, events: 8 }, archiveBehind: 0 });
    expect(verdict.firstBadVersion).toBeUndefined();
  });

  it("one altered byte in an archived event: that version, hash_mismatch, in the archive", async () => {
    expect(await verifyApi(ids.altered)).toMatchObject({ ok: false, firstBadVersion: 2, reason: "hash_mismatch", source: "archive", redis: { ok: true } });
  });

  it("a deleted archived event: its version, version_gap", async () => {
    expect(await verifyApi(ids.deleted)).toMatchObject({ ok: false, firstBadVersion: 5, reason: "version_gap", source: "archive" });
  });

  it("two swapped archived events: the first of them, prev_hash_mismatch", async () => {
    expect(await verifyApi(ids.swapped)).toMatchObject({ ok: false, firstBadVersion: 3, reason: "prev_hash_mismatch", source: "archive" });
  });

  it("an event deleted from the Redis stream: version_gap in redis", async () => {
    expect(await verifyApi(ids.redisGap)).toMatchObject({ ok: false, firstBadVersion: 4, reason: "version_gap", source: "redis", archive: { ok: true } });
  });

  it("a re-sealed forgery in Redis verifies alone but not against the archive", async () => {
    expect(await verifyApi(ids.diverged)).toMatchObject({
      ok: false, firstBadVersion: 5, reason: "redis_archive_mismatch", source: "both", redis: { ok: true }, archive: { ok: true },
    });
  });

  it("a session neither copy knows is not found, not 'ok'", async () => {
    const response = await t.app.inject({ method: "GET", url: `/api/audit/sessions/${randomUUID()}/verify`, headers: t.as.auditor });
    expect(response.statusCode).toBe(404);
    expect((await cli("verify", "--session", randomUUID())).code).toBe(1);
  });

  it("events not archived yet are lag, not a fault", async () => {
    const sessionId = randomUUID();
    await seedSession(t.commands, sessionId);
    await t.settled();
    await sql`delete from event_archive where session_id = ${sessionId}`.execute(t.db);
    expect(await verifyApi(sessionId)).toMatchObject({ ok: true, events: 8, archiveBehind: 8, archive: { ok: true, events: 0 } });
  });
});

describe("every archive column the audit queries and replay read is verified", () => {
  for (const [index, tamper] of tampers.entries()) {
    it(`${tamper.column} edited: version ${tamper.version}, ${tamper.reason}${tamper.detail ? ` (${tamper.detail})` : ""}, by the route and the CLI`, async () => {
      const sessionId = tamperedIds[index] ?? "";
      const expected = { ok: false, firstBadVersion: tamper.version, reason: tamper.reason, source: "archive", ...(tamper.detail ? { column: tamper.detail } : {}) };
      expect(await verifyApi(sessionId)).toMatchObject({ ...expected, archive: { ok: false, firstBadVersion: tamper.version, reason: tamper.reason } });
      const text = await cli("verify", "--session", sessionId);
      expect(text.code).toBe(1);
      expect(text.out).toContain(`FAIL ${sessionId}: version ${tamper.version} ${tamper.reason}${tamper.detail ? ` ${tamper.detail}` : ""} (archive)`);
      const json = await cli("verify", "--session", sessionId, "--json");
      expect(JSON.parse(json.out)).toMatchObject(expected);
    });
  }
});

describe("ccm events verify", () => {
  it("exits 0 on an untouched session and 1 on a tampered one, naming version and reason", async () => {
    const good = await cli("verify", "--session", ids.untouched);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/^ok .*8 events/);
    const bad = await cli("verify", "--session", ids.swapped);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`FAIL ${ids.swapped}: version 3 prev_hash_mismatch (archive)`);
    const json = await cli("verify", "--session", ids.altered, "--json");
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, firstBadVersion: 2, reason: "hash_mismatch" });
  });

  it("--all lists every tampered session, not the intact ones, shows progress and exits 1", async () => {
    const all = await cli("verify", "--all");
    expect(all.code).toBe(1);
    for (const [name, sessionId] of Object.entries(ids)) {
      expect(all.out.includes(sessionId), name).toBe(name !== "untouched");
    }
    for (const [index, sessionId] of tamperedIds.entries()) expect(all.out.includes(sessionId), tampers[index]?.column).toBe(true);
    expect(all.err).toMatch(/verify \d+\/\d+/);
    // The five above, every tampered one, and the session the edited session_id made up.
    expect(all.err).toContain(`${5 + tampers.length + 1} FAILED`);
  });

  it("needs --session or --all", async () => {
    expect((await cli("verify")).code).toBe(2);
  });
});
