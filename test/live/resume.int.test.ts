import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSse, openWs, type Received } from "./clients.ts";
import {
  appendEach, auth, createLiveFixture, idsOf, newSession, startLiveApp, TOKEN, updated, versionsOf,
  type LiveApp, type LiveFixture,
} from "./support.ts";

let fixture: LiveFixture;
let live: LiveApp;

beforeAll(async () => {
  fixture = await createLiveFixture();
  live = await startLiveApp(fixture);
});
afterAll(async () => {
  await live.close();
  await fixture.close();
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);
const updates = (from: number, count: number) => Array.from({ length: count }, (_, n) => updated(from + n));
const lastVersion = (items: readonly Received[]) => versionsOf(items.filter((item) => item.kind === "event")).at(-1) ?? 0;
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** What the store holds for the session, as a client should have seen it. */
const storedEvents = async (sessionId: string) => (await fixture.store.readSession(sessionId)).events;

const scenario = fc.record({
  before: fc.integer({ min: 1, max: 8 }),
  during: fc.integer({ min: 0, max: 12 }),
  cut: fc.nat(),
  headerAuth: fc.boolean(),
});

describe("resume after a disconnect", () => {
  it("SSE: a client cut after any number of events gets exactly the rest with Last-Event-ID", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ before, during, cut }) => {
        const total = before + during;
        const keep = 1 + (cut % total);
        const sessionId = await newSession(fixture.store, before);
        const first = await openSse(live.sse(sessionId, "?after=0"), auth);
        const writer = appendEach(fixture.store, sessionId, updates(before + 1, during));
        await first.waitFor((received) => received.filter((item) => item.kind === "event").length >= keep);
        first.close();
        const got = first.events().slice();
        await writer;
        const second = await openSse(live.sse(sessionId), { ...auth, "last-event-id": got.at(-1)?.id ?? "0" });
        await second.waitFor((received) => Math.max(lastVersion(got), lastVersion(received)) === total);
        await settle();
        second.close();
        const all = [...got, ...second.events()];
        expect(versionsOf(all)).toEqual(range(1, total));
        expect(idsOf(all)).toEqual(range(1, total).map((version) => `0-${version}`));
        expect(all.map((item) => (item.body as { eventId: string }).eventId)).toEqual((await storedEvents(sessionId)).map((event) => event.eventId));
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it("WebSocket: the same, resuming by header + ?after= or by the first message", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ before, during, cut, headerAuth }) => {
        const total = before + during;
        const keep = 1 + (cut % total);
        const sessionId = await newSession(fixture.store, before);
        const first = await openWs(live.ws(sessionId, "?after=0"), { headers: auth });
        const writer = appendEach(fixture.store, sessionId, updates(before + 1, during));
        await first.waitFor((received) => received.filter((item) => item.kind === "event").length >= keep);
        first.close();
        const got = first.events().slice();
        await writer;
        const lastId = got.at(-1)?.id ?? "0";
        const second = headerAuth
          ? await openWs(live.ws(sessionId, `?after=${lastId}`), { headers: auth })
          : await openWs(live.ws(sessionId), { hello: { token: TOKEN, after: lastId } });
        await second.waitFor((received) => Math.max(lastVersion(got), lastVersion(received)) === total);
        await settle();
        second.close();
        const all = [...got, ...second.events()];
        expect(versionsOf(all)).toEqual(range(1, total));
        expect(idsOf(all)).toEqual(range(1, total).map((version) => `0-${version}`));
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it("after=0 replays the whole session, envelope for envelope", async () => {
    const sessionId = await newSession(fixture.store, 25);
    const client = await openSse(live.sse(sessionId, "?after=0"), auth);
    await client.waitFor((received) => lastVersion(received) === 25);
    client.close();
    expect(client.events().map((item) => item.body)).toEqual(await storedEvents(sessionId));
  });

  it("resumes across an api process restart (same Redis, new process state)", async () => {
    const other = await startLiveApp(fixture);
    const sessionId = await newSession(fixture.store, 3);
    const client = await openSse(other.sse(sessionId, "?after=0"), auth);
    await appendEach(fixture.store, sessionId, updates(4, 4));
    await client.waitFor((received) => lastVersion(received) === 7);
    await other.close();
    await client.closed;
    // The server said why it went away, and the cursor survives it.
    expect(client.received.at(-1)).toMatchObject({ kind: "error", body: { reason: "shutting_down" } });
    await appendEach(fixture.store, sessionId, updates(8, 5));

    const restarted = await startLiveApp(fixture);
    const resumed = await openSse(restarted.sse(sessionId), { ...auth, "last-event-id": client.events().at(-1)?.id ?? "" });
    await resumed.waitFor((received) => lastVersion(received) === 12);
    await appendEach(fixture.store, sessionId, updates(13, 3));
    await resumed.waitFor((received) => lastVersion(received) === 15);
    await settle();
    resumed.close();
    await restarted.close();
    expect(versionsOf([...client.events(), ...resumed.events()])).toEqual(range(1, 15));
  });
});
