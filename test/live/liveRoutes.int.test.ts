import { randomUUID } from "node:crypto";
import { decodeEvent, type DomainEvent } from "../../events/registry.ts";
import { archiveProjection } from "../../projections/archive.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSse, openWs, type Received } from "./clients.ts";
import {
  appendEach, auth, created, createLiveFixture, newSession, startLiveApp, TOKEN, updated, versionsOf,
  type LiveApp, type LiveFixture,
} from "./support.ts";

let fixture: LiveFixture;
let live: LiveApp;

beforeAll(async () => {
  fixture = await createLiveFixture();
  live = await startLiveApp(fixture, { limits: { heartbeatMs: 100 } });
});
afterAll(async () => {
  await live.close();
  await fixture.close();
});

const lastVersion = (items: readonly Received[]) => versionsOf(items.filter((item) => item.kind === "event")).at(-1) ?? 0;
const hasSnapshot = (items: readonly Received[]) => items.some((item) => item.kind === "snapshot");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("authentication", () => {
  it("SSE without a token or with a bad one is 401 problem+json", async () => {
    const sessionId = await newSession(fixture.store, 1);
    for (const headers of [{}, { authorization: "Bearer not-a-valid-token-at-all" }]) {
      const client = await openSse(live.sse(sessionId), headers);
      expect(client.status).toBe(401);
      expect(client.headers["content-type"]).toContain("application/problem+json");
      await client.closed;
      expect(JSON.parse(client.body())).toMatchObject({ code: "unauthorised" });
    }
  });

  it("WebSocket: a bad header token is refused before the upgrade, a bad first-message token closes 4401", async () => {
    const sessionId = await newSession(fixture.store, 1);
    const byHeader = await openWs(live.ws(sessionId), { headers: { authorization: "Bearer wrong-token-0123456789" } });
    await byHeader.closed;
    expect(byHeader.unexpectedStatus()).toBe(401);
    const byMessage = await openWs(live.ws(sessionId), { hello: { token: "wrong-token-0123456789" } });
    await byMessage.closed;
    expect(byMessage.closeCode()).toBe(4401);
    expect(byMessage.received).toEqual([]);
    const garbage = await openWs(live.ws(sessionId), { hello: "not an object" });
    await garbage.closed;
    expect(garbage.closeCode()).toBe(4400);
  });

  it("WebSocket: a client that never says who it is is closed 4408", async () => {
    const quick = await startLiveApp(fixture, { wsAuthTimeoutMs: 150 });
    const sessionId = await newSession(fixture.store, 1);
    const silent = await openWs(quick.ws(sessionId));
    await silent.closed;
    expect(silent.closeCode()).toBe(4408);
    await quick.close();
  });
});

describe("addressing", () => {
  it("an unknown session is 404 on SSE and on both WebSocket handshakes", async () => {
    const unknown = randomUUID();
    const sse = await openSse(live.sse(unknown), auth);
    expect(sse.status).toBe(404);
    await sse.closed;
    expect(JSON.parse(sse.body())).toMatchObject({ code: "not_found" });
    const header = await openWs(live.ws(unknown), { headers: auth });
    await header.closed;
    expect(header.unexpectedStatus()).toBe(404);
    const hello = await openWs(live.ws(unknown), { hello: { token: TOKEN } });
    await hello.closed;
    expect(hello.closeCode()).toBe(4404);
  });

  it("a malformed Last-Event-ID or ?after= is 400", async () => {
    const sessionId = await newSession(fixture.store, 1);
    const header = await openSse(live.sse(sessionId), { ...auth, "last-event-id": "1700000000000-0x" });
    expect(header.status).toBe(400);
    const query = await openSse(live.sse(sessionId, "?after=abc"), auth);
    expect(query.status).toBe(400);
    header.close();
    query.close();
  });

  it("the stream is in the generated OpenAPI document (@fastify/swagger leaves WebSocket routes out)", async () => {
    const response = await live.app.inject({ url: "/openapi.json" });
    const paths = Object.keys((response.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toContain("/api/claude-code/sessions/{sessionId}/stream");
  });

  it("a cursor beyond the head does not swallow the next live events", async () => {
    const sessionId = await newSession(fixture.store, 3);
    const client = await openSse(live.sse(sessionId, "?after=0-99"), auth);
    await client.waitFor(hasSnapshot);
    await appendEach(fixture.store, sessionId, [updated(4)]);
    await client.waitFor((received) => lastVersion(received) === 4);
    client.close();
    expect(versionsOf(client.events())).toEqual([4]);
  });

  it("without a cursor a client gets the snapshot and live events only; SSE headers suit proxies", async () => {
    const sessionId = await newSession(fixture.store, 4);
    const client = await openSse(live.sse(sessionId), auth);
    expect(client.headers["content-type"]).toContain("text/event-stream");
    expect(client.headers["cache-control"]).toContain("no-cache");
    expect(client.headers["x-accel-buffering"]).toBe("no");
    await client.waitFor(hasSnapshot);
    await appendEach(fixture.store, sessionId, [updated(5)]);
    await client.waitFor((received) => lastVersion(received) === 5);
    client.close();
    expect(versionsOf(client.events())).toEqual([5]);
    expect(client.received[0]).toMatchObject({ kind: "snapshot", id: undefined, body: { version: 4, state: "open" } });
  });
});

describe("what the phone sees", () => {
  const busySession = async () => {
    const sessionId = randomUUID();
    const enqueue = (promptId: string): DomainEvent => ({
      type: "PromptEnqueued", data: { promptId, messageId: `m-${promptId}`, prompt: "hello", projectPath: "/repos/alpha" },
    });
    await appendEach(fixture.store, sessionId, [
      created, enqueue("p1"), enqueue("p2"),
      { type: "JobStarted", data: { jobId: "j1", promptId: "p1", runnerId: "r1", leaseMs: 30_000 } },
      enqueue("p3"),
      { type: "PromptCancelRequested", data: { promptId: "p1", jobId: "j1" } },
    ]);
    return sessionId;
  };

  it("a snapshot on connect: status, working state, queue with positions, pending cancel", async () => {
    const sessionId = await busySession();
    const client = await openWs(live.ws(sessionId), { hello: { token: TOKEN } });
    await client.waitFor(hasSnapshot);
    client.close();
    expect(client.received[0]?.body).toMatchObject({
      sessionId, version: 6, state: "open", sessionStatus: "active", isWorking: true, currentJobId: "j1",
      currentPromptId: "p1", cancelPending: true,
      queue: [{ promptId: "p2", messageId: "m-p2", position: 1 }, { promptId: "p3", messageId: "m-p3", position: 2 }],
    });
  });

  it("live deltas are interleaved without an id; a resumed client gets the complete message instead", async () => {
    const sessionId = await busySession();
    const sse = await openSse(live.sse(sessionId, "?after=6"), auth);
    const ws = await openWs(live.ws(sessionId, "?after=6"), { headers: auth });
    const bothHaveDelta = () => [sse.received, ws.received].every((items) => items.some((item) => item.kind === "delta"));
    for (let attempt = 0; attempt < 100 && !bothHaveDelta(); attempt += 1) {
      await fixture.store.liveDeltas.publish(sessionId, { jobId: "j1", kind: "text_delta", text: "Hel" });
      await sleep(20);
    }
    await appendEach(fixture.store, sessionId, [
      { type: "RunnerEventEmitted", data: { jobId: "j1", seq: 1, kind: "assistant", message: { text: "Hello" } } },
    ]);
    await sse.waitFor((received) => lastVersion(received) === 7);
    await ws.waitFor((received) => lastVersion(received) === 7);
    sse.close();
    ws.close();
    for (const client of [sse, ws]) {
      const delta = client.received.find((item) => item.kind === "delta");
      expect(delta?.id).toBeUndefined();
      expect(delta?.body).toEqual(client === sse ? { ephemeral: true, delta: { jobId: "j1", kind: "text_delta", text: "Hel" } } : { jobId: "j1", kind: "text_delta", text: "Hel" });
    }
    const resumed = await openSse(live.sse(sessionId), { ...auth, "last-event-id": "0-6" });
    await resumed.waitFor((received) => lastVersion(received) === 7);
    resumed.close();
    expect(resumed.received.map((item) => item.kind)).toEqual(["snapshot", "event"]);
    expect(resumed.events()[0]?.body).toMatchObject({ type: "RunnerEventEmitted", data: { message: { text: "Hello" } } });
  });

  it("heartbeats keep an idle stream alive", async () => {
    const sessionId = await newSession(fixture.store, 1);
    const client = await openSse(live.sse(sessionId), auth);
    await sleep(450);
    client.close();
    expect(client.comments()).toBeGreaterThanOrEqual(2);
  });
});

describe("scale and limits", () => {
  it("one blocking connection per process fans out to every client of every session", async () => {
    const sessions = await Promise.all(Array.from({ length: 4 }, () => newSession(fixture.store, 1)));
    const clients = await Promise.all(Array.from({ length: 20 }, (_, index) => openSse(live.sse(sessions[index % 4] ?? "", "?after=0"), auth)));
    for (const sessionId of sessions) await appendEach(fixture.store, sessionId, [updated(2), updated(3)]);
    await Promise.all(clients.map((client) => client.waitFor((received) => lastVersion(received) === 3)));
    const list = String(await fixture.redis.client("LIST"));
    const named = (name: string) => list.split("\n").filter((line) => line.includes(` name=${fixture.prefix}${name} `)).length;
    expect(named("live-hub")).toBe(1);
    expect(named("live-deltas")).toBe(1);
    for (const client of clients) {
      client.close();
      expect(versionsOf(client.events())).toEqual([1, 2, 3]);
    }
  });

  it("a client that cannot keep up is cut off with slow_consumer, and resumes without loss", async () => {
    const strict = await startLiveApp(fixture, { limits: { maxBufferedBytes: 64 * 1024 } });
    const sessionId = await newSession(fixture.store, 1);
    const client = await openSse(strict.sse(sessionId, "?after=0"), auth);
    await client.waitFor((received) => lastVersion(received) === 1);
    client.pause();
    const big = "x".repeat(32 * 1024);
    for (let n = 2; n <= 1000 && strict.hub.stats().clients > 0; n += 1) {
      await appendEach(fixture.store, sessionId, [{ type: "SessionUpdated", data: { context: `${n} ${big}` } }]);
    }
    expect(strict.hub.stats().clients).toBe(0);
    // It was a real backlog: far more than the limit was in flight before the cut.
    const head = (await fixture.store.readHead(sessionId)).version;
    expect(head).toBeGreaterThan(10);
    client.resume();
    await client.closed;
    await strict.close();
    const errors = client.received.filter((item) => item.kind === "error");
    expect(errors).toEqual([{ kind: "error", id: undefined, body: expect.objectContaining({ reason: "slow_consumer" }) as unknown }]);
    const resumed = await openSse(live.sse(sessionId), { ...auth, "last-event-id": client.events().at(-1)?.id ?? "0" });
    await resumed.waitFor((received) => Math.max(lastVersion(client.received), lastVersion(received)) === head);
    resumed.close();
    expect(versionsOf([...client.events(), ...resumed.events()])).toEqual(Array.from({ length: head }, (_, index) => index + 1));
  });

  it("events Redis no longer holds come from the archive, in order, with the same ids", async () => {
    const sessionId = await newSession(fixture.store, 10);
    const stored = (await fixture.store.readSession(sessionId)).events;
    const partition = await fixture.store.readPartition(fixture.store.partitionFor(sessionId));
    await archiveProjection.handle(partition.map((event) => ({ ...event, event: decodeEvent(event.envelope) })), fixture.db);
    await fixture.redis.xtrim(fixture.sessionStreamKey(sessionId), "MINID", "0-7");
    const withArchive = await startLiveApp(fixture);
    const replay = await openSse(withArchive.sse(sessionId, "?after=0"), auth);
    await replay.waitFor((received) => lastVersion(received) === 10);
    const resumed = await openWs(withArchive.ws(sessionId, "?after=0-3"), { headers: auth });
    await resumed.waitFor((received) => lastVersion(received) === 10);
    replay.close();
    resumed.close();
    await withArchive.close();
    expect(replay.events().map((item) => item.body)).toEqual(stored);
    expect(replay.events().map((item) => item.id)).toEqual(stored.map((event) => `0-${event.version}`));
    expect(versionsOf(resumed.events())).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(replay.received[0]).toMatchObject({ kind: "snapshot", body: { version: 10 } });
  });
});
