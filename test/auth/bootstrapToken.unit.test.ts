import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { bootstrapToken, TOKEN_FILE } from "../../src/auth/bootstrapToken.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const capture = () => {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, new Writable({ write: (chunk, _encoding, done) => { lines.push(String(chunk)); done(); } }));
  return { logger, lines };
};

const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "ccm-token-"));
  dirs.push(dir);
  return dir;
};

describe("bootstrapToken", () => {
  it("generates a token on first start into DATA_DIR with mode 0600 and logs where, never what", () => {
    const dir = dataDir();
    const { logger, lines } = capture();
    const { name, token } = bootstrapToken({ DATA_DIR: dir }, logger);
    const path = join(dir, TOKEN_FILE);
    expect(name).toBe("local");
    expect(token).toMatch(/^ccm_[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(path, "utf8").trim()).toBe(token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const log = lines.join("");
    expect(log).toContain(path);
    expect(log).not.toContain(token);
  });

  it("reuses the stored token on the next start and tightens a loosened mode", () => {
    const dir = dataDir();
    const first = bootstrapToken({ DATA_DIR: dir }, capture().logger);
    chmodSync(join(dir, TOKEN_FILE), 0o644);
    const second = bootstrapToken({ DATA_DIR: dir }, capture().logger);
    expect(second.token).toBe(first.token);
    expect(statSync(join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
  });

  it("accepts API_TOKEN from the environment instead, writing no file", () => {
    const dir = dataDir();
    const { logger, lines } = capture();
    const given = "an-api-token-from-the-env";
    expect(bootstrapToken({ DATA_DIR: dir, API_TOKEN: given }, logger)).toEqual({ name: "env", token: given, scope: "admin" });
    expect(() => statSync(join(dir, TOKEN_FILE))).toThrow();
    expect(lines.join("")).not.toContain(given);
  });
});
