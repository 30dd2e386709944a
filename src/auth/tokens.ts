import { createHash, randomBytes } from "node:crypto";
import type { RedisClient } from "../infra/redis.ts";

/**
 * What a token may do. `mobile`: the phone's API (every /api/claude-code route, reads and
 * commands). `auditor`: read-only (every GET) plus /api/audit. `admin`: everything, including
 * /api/admin. Records stored before scopes existed were made for phones: they read as mobile.
 */
export const tokenScopes = ["mobile", "auditor", "admin"] as const;
export type TokenScope = (typeof tokenScopes)[number];
export const DEFAULT_SCOPE: TokenScope = "mobile";

export const isTokenScope = (value: string): value is TokenScope => (tokenScopes as readonly string[]).includes(value);

/** Who a bearer token belongs to: its name is the actor recorded on every event it causes. */
export interface TokenIdentity {
  readonly name: string;
  readonly scope: TokenScope;
}

export interface TokenRecord {
  readonly name: string;
  readonly scope: TokenScope;
  readonly createdAt: string;
  /** The first characters of the hash: enough to tell tokens apart, useless to an attacker. */
  readonly fingerprint: string;
}

export interface TokenVerifier {
  verify(token: string): Promise<TokenIdentity | null>;
}

/** A token given outside Redis (API_TOKEN, or the one generated into DATA_DIR). */
export interface StaticToken {
  readonly name: string;
  readonly token: string;
  /** The operator's bootstrap credential: admin unless said otherwise. */
  readonly scope?: TokenScope;
}

export const TOKEN_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export const hashToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

/** 256 random bits, URL-safe, with a prefix that secret scanners can recognise. */
export const generateToken = (): string => `ccm_${randomBytes(32).toString("base64url")}`;

const readRecord = (stored: string): TokenRecord => {
  const record = JSON.parse(stored) as Omit<TokenRecord, "scope"> & { scope?: string };
  return { ...record, scope: record.scope !== undefined && isTokenScope(record.scope) ? record.scope : DEFAULT_SCOPE };
};

export class TokenError extends Error {
  override readonly name = "TokenError";
}

/**
 * Tokens stored hashed (SHA-256) in Redis under the key prefix: `tokens` maps hash → record,
 * `token-names` maps name → hash so names stay unique and revocation goes by name. Static
 * tokens are checked in memory first.
 */
export const createTokenStore = (options: { redis: RedisClient; prefix: string; staticTokens?: readonly StaticToken[] }) => {
  const { redis } = options;
  const byHash = `${options.prefix}tokens`;
  const byName = `${options.prefix}token-names`;
  const staticByHash = new Map<string, TokenIdentity>(
    (options.staticTokens ?? []).map((entry) => [hashToken(entry.token), { name: entry.name, scope: entry.scope ?? "admin" }]),
  );
  const reserved = new Set((options.staticTokens ?? []).map((entry) => entry.name));

  /** Creates a token and returns it: the only time it is ever visible. */
  const create = async (name: string, options: { scope?: TokenScope; now?: Date } = {}): Promise<{ token: string; record: TokenRecord }> => {
    if (!TOKEN_NAME.test(name)) throw new TokenError("a token name is 1-64 letters, digits, '.', '_' or '-'");
    const scope = options.scope ?? DEFAULT_SCOPE;
    if (!isTokenScope(scope)) throw new TokenError(`a scope is one of ${tokenScopes.join(", ")}`);
    if (reserved.has(name)) throw new TokenError(`the name ${name} is reserved`);
    const token = generateToken();
    const hash = hashToken(token);
    if ((await redis.hsetnx(byName, name, hash)) === 0) throw new TokenError(`a token named ${name} already exists`);
    const record: TokenRecord = { name, scope, createdAt: (options.now ?? new Date()).toISOString(), fingerprint: hash.slice(0, 12) };
    await redis.hset(byHash, hash, JSON.stringify(record));
    return { token, record };
  };

  const list = async (): Promise<TokenRecord[]> => {
    const all = await redis.hvals(byHash);
    return all.map(readRecord).sort((a, b) => a.name.localeCompare(b.name));
  };

  /** Revokes by name; false when there is no such token. Takes effect on the next request. */
  const revoke = async (name: string): Promise<boolean> => {
    const hash = await redis.hget(byName, name);
    if (hash === null) return false;
    // Two keys of different hash slots (no MULTI on a cluster): the credential goes first, so a
    // failure in between leaves a name that a second revoke removes, never a live token.
    await redis.hdel(byHash, hash);
    await redis.hdel(byName, name);
    return true;
  };

  const verify = async (token: string): Promise<TokenIdentity | null> => {
    if (token.length === 0 || token.length > 256) return null;
    const hash = hashToken(token);
    const fixed = staticByHash.get(hash);
    if (fixed !== undefined) return fixed;
    const stored = await redis.hget(byHash, hash);
    if (stored === null) return null;
    const { name, scope } = readRecord(stored);
    return { name, scope };
  };

  return { create, list, revoke, verify };
};

export type TokenStore = ReturnType<typeof createTokenStore>;
