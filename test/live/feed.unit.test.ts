import fc from "fast-check";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { initialState } from "../../commands/session/index.ts";
import { createLiveFeed, defaultFeedLimits, type LiveTransport } from "../../src/live/feed.ts";
import type { EventPages } from "../../src/live/eventPages.ts";
import type { HubListener, LiveEvent, LiveHub } from "../../src/live/hub.ts";
import { snapshotOf, type Snapshotter } from "../../src/live/snapshot.ts";

const event = (version: number): LiveEvent => ({ id: `0-${version}`, version, json: `{"version":${version}}` });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An in-memory session: appends become visible to the event pages at once, and to the hub only if delivered. */
const world = () => {
  const stored: LiveEvent[] = [];
  let listener: HubListener | null = null;
  const hub = { subscribe: (_id: string, given: HubListener) => { listener = given; return () => { listener = null; }; } } as unknown as LiveHub;
  const eventPages: EventPages = {
    page: async (_id, after, limit) => {
      await tick();
      return stored.filter((item) => item.version > after).slice(0, limit);
    },
  };
  const snapshotter: Snapshotter = { take: async () => { await tick(); return snapshotOf("s", initialState(), stored.length); } };
  return { stored, hub, eventPages, snapshotter, deliver: (item: LiveEvent) => listener?.event(item), delta: (json: string) => listener?.delta(json) };
};

const recorder = () => {
  const sent: string[] = [];
  const transport: LiveTransport = {
    snapshot: () => sent.push("snapshot"),
    event: (item) => sent.push(item.id),
    delta: () => sent.push("delta"),
    heartbeat: () => {},
    buffered: () => 0,
    drained: async () => true,
    fail: (reason) => sent.push(`error:${reason}`),
    close: () => {},
  };
  return { sent, transport };
};

describe("one client's feed", () => {
  it("sends every version after the cursor exactly once, in order, whatever the hub loses, repeats or delays", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10 }),
        fc.array(fc.record({ delivered: fc.boolean(), again: fc.boolean(), pause: fc.boolean() }), { minLength: 1, maxLength: 25 }),
        fc.nat(),
        async (before, plan, cursorSeed) => {
          const w = world();
          for (let version = 1; version <= before; version += 1) w.stored.push(event(version));
          const total = before + plan.length;
          const after = cursorSeed % (before + 1);
          const { sent, transport } = recorder();
          const feed = createLiveFeed({ ...w, logger: pino({ level: "silent" }), limits: defaultFeedLimits }, "s", after, transport);
          const started = feed.start();
          for (const [index, step] of plan.entries()) {
            const item = event(before + index + 1);
            w.stored.push(item);
            if (step.delivered) w.deliver(item);
            if (step.again) w.deliver(event(Math.max(1, item.version - 1)));
            if (step.pause) await tick();
          }
          await started;
          // The hub always delivers the newest event eventually; it is what reveals a gap.
          w.deliver(event(total));
          for (let spin = 0; spin < 50 && sent.at(-1) !== `0-${total}`; spin += 1) await tick();
          feed.close();
          expect(sent[0]).toBe("snapshot");
          expect(sent.slice(1)).toEqual(Array.from({ length: total - after }, (_, index) => `0-${after + index + 1}`));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("events of one hub batch all go out at once, none waits for a later event", async () => {
    const w = world();
    const { sent, transport } = recorder();
    const feed = createLiveFeed({ ...w, logger: pino({ level: "silent" }), limits: defaultFeedLimits }, "s", null, transport);
    await feed.start();
    w.stored.push(event(1), event(2), event(3));
    for (const version of [1, 2, 3]) w.deliver(event(version));
    expect(sent).toEqual(["snapshot", "0-1", "0-2", "0-3"]);
    feed.close();
  });

  it("drops deltas until the client is up to date, then interleaves them", async () => {
    const w = world();
    w.stored.push(event(1), event(2));
    const { sent, transport } = recorder();
    const feed = createLiveFeed({ ...w, logger: pino({ level: "silent" }), limits: defaultFeedLimits }, "s", 0, transport);
    const started = feed.start();
    w.delta('{"text":"early"}');
    await started;
    w.delta('{"text":"now"}');
    w.stored.push(event(3));
    w.deliver(event(3));
    feed.close();
    expect(sent).toEqual(["snapshot", "0-1", "0-2", "delta", "0-3"]);
  });

  it("cuts off a live client whose socket holds more than the limit", async () => {
    const w = world();
    const { sent, transport } = recorder();
    let buffered = 0;
    const feed = createLiveFeed({ ...w, logger: pino({ level: "silent" }), limits: { ...defaultFeedLimits, maxBufferedBytes: 100 } }, "s", null,
      { ...transport, buffered: () => buffered, event: (item) => { buffered += 60; transport.event(item); } });
    await feed.start();
    for (let version = 1; version <= 3; version += 1) {
      w.stored.push(event(version));
      w.deliver(event(version));
    }
    expect(sent).toEqual(["snapshot", "0-1", "0-2", "error:slow_consumer"]);
  });
});
