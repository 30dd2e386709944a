import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenStore, hashToken, type TokenStore } from "../../src/auth/tokens.ts";
import { runTokenCommand } from "../../src/cli/token.ts";
import { connectTestRedis, deleteKeys } from "../support/redis.ts";

const { redis, prefix } = connectTestRedis();
let tokens: TokenStore;
beforeAll(() => {
  tokens = createTokenStore({ redis, prefix, staticTokens: [{ name: "env", token: "static-token-0123456789" }] });
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const run = async (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokenCommand(tokens, args, (line) => out.push(line), (line) => err.push(line));
  return { code, out, err };
};

describe("token store", () => {
  it("stores only the SHA-256 of a token, under the key prefix", async () => {
    const { token } = await tokens.create("laptop");
    const stored = JSON.stringify(await redis.hgetall(`${prefix}tokens`)) + JSON.stringify(await redis.hgetall(`${prefix}token-names`));
    expect(stored).not.toContain(token);
    expect(stored).toContain(hashToken(token));
    expect(await tokens.verify(token)).toEqual({ name: "laptop", scope: "mobile" });
    expect(await tokens.verify("static-token-0123456789")).toEqual({ name: "env", scope: "admin" });
    expect(await tokens.verify(`${token}x`)).toBeNull();
  });

  it("refuses duplicate, reserved and malformed names", async () => {
    await tokens.create("tablet");
    await expect(tokens.create("tablet")).rejects.toThrow(/already exists/);
    await expect(tokens.create("env")).rejects.toThrow(/reserved/);
    await expect(tokens.create("has space")).rejects.toThrow(/1-64/);
  });
});

describe("ccm token", () => {
  it("create prints the token once on stdout; list never shows it; revoke stops it working", async () => {
    const created = await run("create", "phone");
    expect(created.code).toBe(0);
    const [token] = created.out;
    expect(token).toMatch(/^ccm_/);
    expect(await tokens.verify(token ?? "")).toEqual({ name: "phone", scope: "mobile" });

    const listed = await run("list");
    expect(listed.out.some((line) => line.startsWith("phone\t"))).toBe(true);
    expect(listed.out.join("\n")).not.toContain(token);

    expect((await run("revoke", "phone")).code).toBe(0);
    expect(await tokens.verify(token ?? "")).toBeNull();
    expect((await run("revoke", "phone")).code).toBe(1);
    expect((await run("list")).out.some((line) => line.startsWith("phone\t"))).toBe(false);
  });

  it("explains its usage on a bad call and a bad name", async () => {
    expect((await run("frobnicate")).code).toBe(2);
    expect((await run("create")).code).toBe(2);
    const bad = await run("create", "bad name!");
    expect(bad.code).toBe(1);
    expect(bad.err.join("")).toMatch(/token name/);
  });
});
