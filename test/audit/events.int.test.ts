import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex } from "../../events/envelope.ts";
import type { AuditEvent } from "../../src/audit/eventsQuery.ts";
import { exportChunks } from "../../src/audit/export.ts";
import { runEvents } from "../../src/cli/events.ts";
import { createAuditApp, seedSession, type AuditApp } from "./support.ts";

let t: AuditApp;
const alice = randomUUID();
const bob = randomUUID();
const carol = randomUUID();
const hour = (h: number) => Date.parse(`2025-01-01T${String(h).padStart(2, "0")}:00:00.000Z`);

const cli = async (args: string[], signal?: AbortSignal, onOut?: (text: string) => void, onErr?: (text: string) => void) => {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on("data", (chunk: Buffer) => {
    chunks.push(chunk.toString("utf8"));
    onOut?.(chunks.join(""));
  });
  const err: string[] = [];
  const write = (text: string) => {
    err.push(text);
    onErr?.(err.join(""));
  };
  const code = await runEvents(args, { store: t.store, db: t.db, out, err: { write }, ...(signal ? { signal } : {}) });
  return { code, out: chunks.join(""), err: err.join("") };
};

const page = async (query: string) => {
  const response = await t.app.inject({ method: "GET", url: `/api/audit/events?${query}`, headers: t.as.auditor });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ events: AuditEvent[]; next: string | null }>();
};

beforeAll(async () => {
  t = await createAuditApp();
  await seedSession(t.commands, alice, { actor: "alice", start: hour(10) });
  await seedSession(t.commands, bob, { actor: "bob", start: hour(11) });
  await seedSession(t.commands, carol, { actor: "carol", start: hour(12) });
  await t.settled();
}, 60_000);
afterAll(async () => {
  await t.close();
});

describe("GET /api/audit/events", () => {
  it("pages through everything with the cursor: no event skipped or repeated, in a stable order", async () => {
    const all = (await page("limit=1000")).events;
    expect(all).toHaveLength(24);
    const paged: AuditEvent[] = [];
    let after: string | null = null;
    do {
      const next: { events: AuditEvent[]; next: string | null } = await page(`limit=5${after ? `&after=${after}` : ""}`);
      paged.push(...next.events);
      after = next.next;
    } while (after !== null);
    expect(paged.map((event) => event.eventId)).toEqual(all.map((event) => event.eventId));
    for (const sessionId of [alice, bob, carol]) {
      expect(all.filter((event) => event.sessionId === sessionId).map((event) => event.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
  });

  it("filters by session, type, actor and time window", async () => {
    expect((await page(`sessionId=${bob}`)).events.map((event) => event.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const prompts = (await page("type=PromptEnqueued")).events;
    expect(prompts).toHaveLength(6);
    expect(prompts.every((event) => event.type === "PromptEnqueued")).toBe(true);
    const byCarol = (await page("actor=carol")).events;
    expect(new Set(byCarol.map((event) => event.sessionId))).toEqual(new Set([carol]));
    expect(byCarol).toHaveLength(8);
    const window = (await page(`from=${new Date(hour(11)).toISOString()}&to=${new Date(hour(12)).toISOString()}`)).events;
    expect(window.map((event) => `${event.sessionId}:${event.version}`)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((v) => `${bob}:${v}`));
    expect((await page(`actor=alice&type=JobStarted`)).events.map((event) => event.version)).toEqual([3]);
  });

  it("refuses a malformed cursor or time", async () => {
    for (const query of ["after=nope", "from=tomorrow", "limit=0"]) {
      const response = await t.app.inject({ method: "GET", url: `/api/audit/events?${query}`, headers: t.as.auditor });
      expect(response.statusCode, query).toBe(400);
    }
  });

  it("finds one event by id or by session:version", async () => {
    const [first] = (await page(`sessionId=${alice}&limit=1`)).events;
    const byId = await t.app.inject({ method: "GET", url: `/api/audit/events/${first?.eventId}`, headers: t.as.auditor });
    expect(byId.json()).toEqual(first);
    const byVersion = await t.app.inject({ method: "GET", url: `/api/audit/events/${alice}:1`, headers: t.as.auditor });
    expect(byVersion.json()).toEqual(first);
    expect((await t.app.inject({ method: "GET", url: `/api/audit/events/${alice}:99`, headers: t.as.auditor })).statusCode).toBe(404);
  });
});

/** A CSV parser good enough to check the export: quoted fields, doubled quotes, CRLF records. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let index = 0;
  const endField = () => {
    row.push(field);
    field = "";
  };
  while (index < text.length) {
    const char = text[index] ?? "";
    const pair = text.slice(index, index + 2);
    index += quoted ? (pair === '""' ? 2 : 1) : pair === "\r\n" ? 2 : 1;
    if (quoted && pair === '""') field += '"';
    else if (quoted) {
      if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") endField();
    else if (pair === "\r\n") {
      endField();
      rows.push(row);
      row = [];
    } else field += char;
  }
  return rows;
};

describe("export", () => {
  it("NDJSON: one envelope per line that verifies offline against its hash", async () => {
    const { code, out } = await cli(["export", "--session", alice, "--format", "ndjson"]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n").map((line) => JSON.parse(line) as AuditEvent);
    expect(lines.map((line) => line.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const { position: _position, hash, ...rest } of lines) expect(sha256Hex(canonicalJson(rest))).toBe(hash);
  });

  it("CSV: a header and one quoted record per event; the HTTP route streams the same bytes", async () => {
    const { out } = await cli(["export", "--session", bob, "--format", "csv"]);
    const [header, ...records] = parseCsv(out);
    expect(header?.slice(0, 4)).toEqual(["position", "eventId", "sessionId", "version"]);
    expect(records).toHaveLength(8);
    const prompt = records.find((record) => record[4] === "PromptEnqueued");
    expect(JSON.parse(prompt?.at(-1) ?? "{}")).toMatchObject({ prompt: "hello world" });
    expect(prompt?.[7]).toBe("bob");
    const http = await t.app.inject({ method: "GET", url: `/api/audit/export?sessionId=${bob}&format=csv`, headers: t.as.auditor });
    expect(http.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(http.body).toBe(out);
  });

  it("reads the archive a page at a time and loses nothing across pages", async () => {
    let text = "";
    let chunks = 0;
    for await (const chunk of exportChunks(t.db, {}, "ndjson", 5)) {
      text += chunk;
      chunks += 1;
    }
    expect(chunks).toBe(5);
    expect(new Set(text.trimEnd().split("\n").map((line) => (JSON.parse(line) as AuditEvent).eventId)).size).toBe(24);
  });
});

describe("ccm events ls / show / tail", () => {
  it("ls prints one line per event and the cursor for the next page", async () => {
    const first = await cli(["ls", "--limit", "5"]);
    expect(first.out.trimEnd().split("\n")).toHaveLength(5);
    const cursor = /--after (\S+)/.exec(first.err)?.[1];
    expect(cursor).toBeDefined();
    const rest = await cli(["ls", "--limit", "100", "--after", cursor ?? ""]);
    expect(rest.out.trimEnd().split("\n")).toHaveLength(19);
    expect((await cli(["ls", "--actor", "bob", "--type", "SessionCreated"])).out).toMatch(new RegExp(`\\t${bob}:1\\tSessionCreated\\tbob$`, "m"));
  });

  it("show prints an archived event in full, and one not archived yet from Redis", async () => {
    const shown = await cli(["show", `${carol}:2`]);
    expect(JSON.parse(shown.out)).toMatchObject({ sessionId: carol, version: 2, type: "PromptEnqueued", meta: { actor: "carol" } });
    const fresh = randomUUID();
    await seedSession(t.commands, fresh);
    // Not archived yet: the archive lags.
    await t.settled();
    await sql`delete from event_archive where session_id = ${fresh}`.execute(t.db);
    const live = await cli(["show", `${fresh}:3`]);
    expect(JSON.parse(live.out)).toMatchObject({ position: null, sessionId: fresh, version: 3, type: "JobStarted" });
    expect((await cli(["show", `${fresh}:42`])).code).toBe(1);
  });

  it("tail --session prints that session's new events as they are appended, and stops when asked", async () => {
    const watched = randomUUID();
    const stop = new AbortController();
    let seen = "";
    let ready = false;
    const tail = cli(["tail", "--session", watched], stop.signal, (text) => (seen = text), (text) => (ready = text.includes("tailing")));
    while (!ready) await new Promise((resolve) => setTimeout(resolve, 10));
    await seedSession(t.commands, randomUUID());
    await seedSession(t.commands, watched);
    const deadline = Date.now() + 10_000;
    while (seen.trimEnd().split("\n").length < 8 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    stop.abort();
    const { code, out } = await tail;
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(8);
    expect(lines.every((line) => line.includes(`\t${watched}:`))).toBe(true);
  });
});
