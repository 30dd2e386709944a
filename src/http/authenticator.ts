import type { FastifyReply } from "fastify";
import type { TokenIdentity, TokenVerifier } from "../auth/tokens.ts";
import { AppError } from "../errors.ts";
import type { WindowCounter } from "./windowCounter.ts";

/** What became of a request's credentials. */
export type Authentication =
  | { readonly kind: "ok"; readonly identity: TokenIdentity }
  | { readonly kind: "refused"; readonly reason: string }
  | { readonly kind: "blocked"; readonly retryAfterSeconds: number };

/** Checks the bearer token (null: none was sent) of a request from `address`. */
export type Authenticate = (address: string, token: string | null) => Promise<Authentication>;

export interface AuthenticatorOptions {
  readonly tokens: TokenVerifier;
  readonly counter: WindowCounter;
  /** Failed authentications an address may have per window; past it, it gets 429 until the window ends. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

/**
 * Bearer tokens, with failures counted per client address in Redis (so every api process
 * shares the count): an address that failed `maxFailures` times in a window is refused until
 * the window ends, whatever token it sends, so guessing tokens costs a window per
 * `maxFailures` guesses. Missing and unknown tokens both count; a valid token never does.
 */
export const createAuthenticator = ({ tokens, counter, maxFailures, windowMs }: AuthenticatorOptions): Authenticate => {
  const failures = (address: string) => `authfail:${address}`;
  return async (address, token) => {
    // Asked together to save a round trip; a blocked address gets 429 whatever the token is,
    // so the answer never depends on it.
    const [count, identity] = await Promise.all([counter.peek(failures(address)), token === null ? null : tokens.verify(token)]);
    if (count.hits >= maxFailures) return { kind: "blocked", retryAfterSeconds: Math.max(1, Math.ceil(count.ttlMs / 1000)) };
    if (identity) return { kind: "ok", identity };
    await counter.hit(failures(address), windowMs);
    return { kind: "refused", reason: token === null ? "send Authorization: Bearer <token>" : "the token is not valid (unknown or revoked)" };
  };
};

/**
 * The identity, or the HTTP refusal: 401 with WWW-Authenticate, or 429 with Retry-After for
 * an address past its failures. Headers go on the reply before the throw so the problem
 * answer carries them.
 */
export const identityOrRefuse = (reply: FastifyReply, outcome: Authentication, address: string): TokenIdentity => {
  if (outcome.kind === "ok") return outcome.identity;
  if (outcome.kind === "blocked") {
    reply.header("retry-after", String(outcome.retryAfterSeconds));
    throw AppError.of("rate_limited", `too many failed authentications from ${address}; retry in ${outcome.retryAfterSeconds} s`);
  }
  reply.header("www-authenticate", 'Bearer realm="claude-code-mobile"');
  throw AppError.of("unauthorised", outcome.reason);
};
