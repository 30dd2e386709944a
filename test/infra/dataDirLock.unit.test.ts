import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirBusyError, lockDataDir, OWNER_FILE, readOwner } from "../../src/infra/dataDirLock.ts";
import { processStartTime } from "../../src/infra/processes.ts";

/** One owner per data folder: a live owner refuses others, a dead one's lock is taken over. */
const folders: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), "ccm-lock-"));
  folders.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A process that has exited: its pid is free (or, later, someone else's). */
const deadPid = async () => {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid as number;
};

describe("the DATA_DIR lock", () => {
  it("refuses a second owner while the first lives, naming it; free again once released", () => {
    const dir = folder();
    const lock = lockDataDir(dir, "start");
    lock.update({ url: "http://127.0.0.1:3001", toolToken: "t" });
    expect(readOwner(dir)).toMatchObject({ pid: process.pid, command: "start", url: "http://127.0.0.1:3001" });
    expect(() => lockDataDir(dir, "replay")).toThrow(DataDirBusyError);
    expect(() => lockDataDir(dir, "replay")).toThrow(/in use by a running service \(pid \d+, since .*, at http:\/\/127\.0\.0\.1:3001\)/);
    lock.release();
    expect(readOwner(dir)).toBeNull();
    lockDataDir(dir, "replay").release();
  });

  it("takes over the lock of a process that is gone", async () => {
    const dir = folder();
    writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ pid: await deadPid(), startTime: null, command: "start", since: "earlier" }));
    expect(readOwner(dir)).toBeNull();
    const lock = lockDataDir(dir, "start");
    expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), "utf8"))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it("does not mistake a live process that reused the pid for the owner (its start time differs)", () => {
    const dir = folder();
    const otherStart = String(Number(processStartTime(process.pid) ?? 0) + 1);
    writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, startTime: otherStart, command: "start", since: "before a reboot" }));
    expect(readOwner(dir)).toBeNull();
    lockDataDir(dir, "start").release();
  });

  it("takes over a half-written lock (its owner died while writing it)", () => {
    const dir = folder();
    writeFileSync(join(dir, OWNER_FILE), '{"pid":');
    lockDataDir(dir, "token").release();
  });
});
