import type { RedisClient } from "../../src/infra/redis.ts";
import { describe, expect, it } from "vitest";
import { raceWithWatchdog } from "../../src/eventStore/watchdog.ts";

const fakeConnection = () => {
  const calls: boolean[] = [];
  return { calls, connection: { disconnect: (reconnect: boolean) => calls.push(reconnect) } as unknown as RedisClient };
};

describe("raceWithWatchdog", () => {
  it("returns what the read returned when it answers in time, leaving the connection alone", async () => {
    const { calls, connection } = fakeConnection();
    let stuck = 0;
    expect(await raceWithWatchdog(connection, Promise.resolve(["entries"]), 50, () => { stuck += 1; })).toEqual(["entries"]);
    expect(stuck).toBe(0);
    expect(calls).toEqual([]);
  });

  it("a read that hangs past the deadline yields null, is reported, and the connection is recycled", async () => {
    const { calls, connection } = fakeConnection();
    let stuck = 0;
    const started = Date.now();
    const outcome = await raceWithWatchdog(connection, new Promise<string>(() => {}), 50, () => { stuck += 1; });
    expect(outcome).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(stuck).toBe(1);
    expect(calls).toEqual([true]);
  });

  it("a failing read rejects as before", async () => {
    const { connection } = fakeConnection();
    await expect(raceWithWatchdog(connection, Promise.reject(new Error("READONLY")), 50, () => {})).rejects.toThrow("READONLY");
  });
});
