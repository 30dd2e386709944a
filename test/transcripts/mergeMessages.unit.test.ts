import { describe, expect, it } from "vitest";
import { mergeSessionMessages } from "../../src/transcripts/mergeMessages.ts";

describe("merging a session's messages with its Claude transcript", () => {
  it("keeps each uuid once, the session's own copy first, in time order", () => {
    const own = [
      { uuid: "a", timestamp: "2026-01-01T00:00:01Z", from: "own" },
      { uuid: "c", timestamp: "2026-01-01T00:00:03Z", from: "own" },
    ];
    const claude = [
      { uuid: "a", timestamp: "2026-01-01T00:00:01Z", from: "file" },
      { uuid: "b", timestamp: "2026-01-01T00:00:02Z", from: "file" },
      { uuid: "d", timestamp: "2026-01-01T00:00:04Z", from: "file" },
    ];
    expect(mergeSessionMessages(own, claude).map((m) => `${m.uuid}:${m.from}`)).toEqual(["a:own", "b:file", "c:own", "d:file"]);
  });

  it("keeps messages without uuid or timestamp, in their given order, after dated ones", () => {
    const merged = mergeSessionMessages([{ uuid: null, timestamp: null, n: 1 }], [{ uuid: "x", timestamp: "2026-01-01T00:00:00Z", n: 2 }, { n: 3 }]);
    expect(merged.map((m) => m.n)).toEqual([2, 1, 3]);
  });
});
