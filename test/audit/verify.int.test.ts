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
  for (const sessionId of Object.values(ids)) await seedSession(t.commands, sessionId);
  await t.settled();
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
    expect(all.err).toMatch(/verify \d+\/\d+/);
    expect(all.err).toMatch(/5 FAILED/);
  });

  it("needs --session or --all", async () => {
    expect((await cli("verify")).code).toBe(2);
  });
});
