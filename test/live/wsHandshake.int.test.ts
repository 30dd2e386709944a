import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWs, type Received, type WsClient } from "./clients.ts";
import {
  appendEach, auth, createLiveFixture, newSession, startLiveApp, TOKEN, updated, versionsOf,
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

const lastVersion = (items: readonly Received[]) => versionsOf(items.filter((item) => item.kind === "event")).at(-1) ?? 0;
const hasSnapshot = (items: readonly Received[]) => items.some((item) => item.kind === "snapshot");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WebSocket resume with the header token and a first message", () => {
  it("header auth + first message {after: 0-3} gets exactly versions 4.. then live events", async () => {
    const sessionId = await newSession(fixture.store, 6);
    const client = await openWs(live.ws(sessionId), { headers: auth, hello: { after: "0-3" } });
    await client.waitFor((received) => lastVersion(received) === 6);
    await appendEach(fixture.store, sessionId, [updated(7), updated(8)]);
    await client.waitFor((received) => lastVersion(received) === 8);
    client.close();
    expect(versionsOf(client.events())).toEqual([4, 5, 6, 7, 8]);
    expect(client.received[0]).toMatchObject({ kind: "snapshot" });
  });

  it("the first message may carry the token as well; its after is used", async () => {
    const sessionId = await newSession(fixture.store, 4);
    const client = await openWs(live.ws(sessionId), { headers: auth, hello: { token: TOKEN, after: 2 } });
    await client.waitFor((received) => lastVersion(received) === 4);
    client.close();
    expect(versionsOf(client.events())).toEqual([3, 4]);
  });

  it("a header client that sends nothing starts live-only after the short wait; a ping first is answered", async () => {
    const quick = await startLiveApp(fixture, { wsResumeWaitMs: 100 });
    const sessionId = await newSession(fixture.store, 3);
    const silent = await openWs(quick.ws(sessionId), { headers: auth });
    const pinging = await openWs(quick.ws(sessionId), { headers: auth, hello: { type: "ping" } });
    await silent.waitFor(hasSnapshot);
    await pinging.waitFor((received) => hasSnapshot(received) && received.some((item) => item.kind === ("pong" as Received["kind"])));
    await appendEach(fixture.store, sessionId, [updated(4)]);
    await silent.waitFor((received) => lastVersion(received) === 4);
    await pinging.waitFor((received) => lastVersion(received) === 4);
    silent.close();
    pinging.close();
    await quick.close();
    expect(versionsOf(silent.events())).toEqual([4]);
    expect(versionsOf(pinging.events())).toEqual([4]);
  });
});

describe("sockets waiting for their first message", () => {
  it("an address may hold only a few unauthenticated sockets; more are closed 4429 too_many_pending", async () => {
    const capped = await startLiveApp(fixture, { wsMaxPendingPerAddress: 2, wsAuthTimeoutMs: 10_000 });
    const sessionId = await newSession(fixture.store, 1);
    const waiting: WsClient[] = [await openWs(capped.ws(sessionId)), await openWs(capped.ws(sessionId))];
    const refused = await openWs(capped.ws(sessionId));
    await refused.closed;
    expect(refused.closeCode()).toBe(4429);
    expect(refused.closeReason()).toBe("too_many_pending");
    // Sockets authorised by header are not pending: they still get in.
    const byHeader = await openWs(capped.ws(sessionId, "?after=0"), { headers: auth });
    await byHeader.waitFor((received) => lastVersion(received) === 1);
    // Once one waiting socket authenticates, its slot is free again.
    waiting[0]?.socket.send(JSON.stringify({ token: TOKEN }));
    await waiting[0]?.waitFor(hasSnapshot);
    const admitted = await openWs(capped.ws(sessionId));
    await sleep(100);
    admitted.socket.send(JSON.stringify({ token: TOKEN, after: 0 }));
    await admitted.waitFor((received) => lastVersion(received) === 1);
    // A closed waiting socket frees its slot too.
    waiting[1]?.close();
    await waiting[1]?.closed;
    await sleep(50);
    const afterClose = await openWs(capped.ws(sessionId), { hello: { token: TOKEN } });
    await afterClose.waitFor(hasSnapshot);
    for (const client of [...waiting, byHeader, admitted, afterClose]) client.close();
    await capped.close();
    expect(admitted.closeCode()).not.toBe(4429);
    expect(afterClose.closeCode()).not.toBe(4429);
  });
});
