import { afterAll, beforeAll, expect, it } from "vitest";
import { openSse, openWs } from "./clients.ts";
import { appendEach, createLiveFixture, newSession, startLiveApp, updated, versionsOf, type LiveApp, type LiveFixture } from "./support.ts";

/** Revoking a token (what one does about a lost phone) ends the streams it opened, whichever api process revoked it. */
let fixture: LiveFixture;
let streaming: LiveApp;
let revoking: LiveApp;

beforeAll(async () => {
  fixture = await createLiveFixture();
  streaming = await startLiveApp(fixture);
  revoking = await startLiveApp(fixture);
});
afterAll(async () => {
  await streaming.close();
  await revoking.close();
  await fixture.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

it("the SSE and WebSocket streams of a revoked token end within 5 s, also when another process revoked it; other tokens' streams go on", async () => {
  const lost = (await streaming.tokens.create("lost-phone", { scope: "mobile" })).token;
  const kept = (await streaming.tokens.create("kept-phone", { scope: "mobile" })).token;
  const sessionId = await newSession(fixture.store, 2);
  const sse = await openSse(streaming.sse(sessionId, "?after=0"), bearer(lost));
  const wsByHeader = await openWs(streaming.ws(sessionId, "?after=0"), { headers: bearer(lost) });
  const wsByHello = await openWs(streaming.ws(sessionId), { hello: { token: lost, after: 0 } });
  const other = await openSse(streaming.sse(sessionId, "?after=0"), bearer(kept));
  for (const client of [sse, wsByHeader, wsByHello, other]) await client.waitFor((received) => versionsOf(received.filter((item) => item.kind === "event")).at(-1) === 2);

  const revokedAt = Date.now();
  expect(await revoking.tokens.revoke("lost-phone")).toBe(true);
  await Promise.all([sse.closed, wsByHeader.closed, wsByHello.closed]);
  expect(Date.now() - revokedAt).toBeLessThan(5000);
  expect(sse.received.at(-1)).toMatchObject({ kind: "error", body: { reason: "revoked" } });
  expect([wsByHeader.closeCode(), wsByHello.closeCode()]).toEqual([4401, 4401]);

  await appendEach(fixture.store, sessionId, [updated(3)]);
  await other.waitFor((received) => versionsOf(received.filter((item) => item.kind === "event")).at(-1) === 3);
  expect(other.isClosed()).toBe(false);
  other.close();
  // A new stream with the revoked token is refused at once.
  expect((await openSse(streaming.sse(sessionId), bearer(lost))).status).toBe(401);
}, 30_000);
