import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeEvent } from "../../events/registry.ts";
import { archiveProjection, archiveQueries } from "../../projections/archive.ts";
import { openSse, openWs, type Received } from "./clients.ts";
import { appendEach, auth, createLiveFixture, newSession, startLiveApp, updated, versionsOf, type LiveFixture } from "./support.ts";

let fixture: LiveFixture;

beforeAll(async () => {
  fixture = await createLiveFixture();
});
afterAll(async () => {
  await fixture.close();
});

const lastVersion = (items: readonly Received[]) => versionsOf(items.filter((item) => item.kind === "event")).at(-1) ?? 0;

/** Archives every event of the session's partition, as the projector's archive projection would. */
const archivePartitionOf = async (sessionId: string) => {
  const partition = fixture.store.partitionFor(sessionId);
  const stored = await fixture.store.readPartition(partition);
  await archiveProjection.handle(stored.map((event) => ({ ...event, event: decodeEvent(event.envelope) })), fixture.db);
};

describe("the live stream over the real archive", () => {
  it("sessionEventsAfter returns one session's envelopes after a version, in order, limited", async () => {
    const sessionId = await newSession(fixture.store, 6);
    const other = await newSession(fixture.store, 3);
    await archivePartitionOf(sessionId);
    await archivePartitionOf(other);
    const stored = (await fixture.store.readSession(sessionId)).events;
    const archive = archiveQueries(fixture.db);
    expect(await archive.sessionEventsAfter(sessionId, 2, 3)).toEqual(stored.slice(2, 5));
    expect(await archive.sessionEventsAfter(sessionId, 6, 10)).toEqual([]);
  });

  it("events trimmed from Redis are replayed from the archive, with the same ids, then live", async () => {
    const sessionId = await newSession(fixture.store, 10);
    await archivePartitionOf(sessionId);
    const stored = (await fixture.store.readSession(sessionId)).events;
    await fixture.redis.xtrim(fixture.sessionStreamKey(sessionId), "MINID", "0-7");
    const app = await startLiveApp(fixture);
    const replay = await openSse(app.sse(sessionId, "?after=0"), auth);
    const resumed = await openWs(app.ws(sessionId, "?after=0-3"), { headers: auth });
    await replay.waitFor((received) => lastVersion(received) === 10);
    await resumed.waitFor((received) => lastVersion(received) === 10);
    replay.close();
    await appendEach(fixture.store, sessionId, [updated(11)]);
    await resumed.waitFor((received) => lastVersion(received) === 11);
    resumed.close();
    await app.close();
    expect(replay.events().map((item) => item.body)).toEqual(stored);
    expect(replay.events().map((item) => item.id)).toEqual(stored.map((event) => `0-${event.version}`));
    expect(versionsOf(resumed.events())).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
