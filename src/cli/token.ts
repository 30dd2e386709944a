import { parseArgs } from "node:util";
import type { TokenStore } from "../auth/tokens.ts";
import { isTokenScope, TokenError, tokenScopes, type TokenScope } from "../auth/tokens.ts";

export const tokenUsage = `usage: ccm token <create NAME [--scope mobile|auditor|admin] | list | revoke NAME>

  create NAME   make a token; it is printed once, only its SHA-256 is stored
    --scope S   mobile (default): the phone's API, reads and commands
                auditor: read-only, every GET plus /api/audit
                admin: everything, including /api/admin
  list          names, scopes, creation times and fingerprints (never the tokens)
  revoke NAME   the token stops working on the next request`;

type Print = (line: string) => void;

const parse = (args: readonly string[]) => {
  try {
    const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { scope: { type: "string" } } });
    return { action: positionals[0], name: positionals[1], extra: positionals.length > 2, scope: values.scope };
  } catch {
    return null;
  }
};

const create = async (tokens: TokenStore, name: string, scope: TokenScope, out: Print, err: Print) => {
  const { token, record } = await tokens.create(name, { scope });
  err(`created ${record.scope} token ${record.name} (fingerprint ${record.fingerprint}); it is shown once, store it now:`);
  out(token);
  return 0;
};

/**
 * `ccm token create|list|revoke`: manages the bearer tokens kept (hashed) in Redis. Returns
 * the exit code. The token's name is the actor recorded on the events it causes.
 */
export const runTokenCommand = async (tokens: TokenStore, args: readonly string[], out: Print, err: Print): Promise<number> => {
  const parsed = parse(args);
  const { action, name, scope } = parsed ?? {};
  try {
    if (parsed && !parsed.extra && action === "create" && name) {
      if (scope !== undefined && !isTokenScope(scope)) {
        err(`unknown scope ${scope}; use one of ${tokenScopes.join(", ")}`);
        return 2;
      }
      return await create(tokens, name, scope ?? "mobile", out, err);
    }
    if (parsed && !parsed.extra && action === "list" && !name && scope === undefined) {
      const records = await tokens.list();
      if (records.length === 0) err("no tokens in Redis (the API_TOKEN / DATA_DIR token is not listed; it has the admin scope)");
      for (const record of records) out(`${record.name}\t${record.scope}\t${record.createdAt}\t${record.fingerprint}`);
      return 0;
    }
    if (parsed && !parsed.extra && action === "revoke" && name && scope === undefined) {
      if (await tokens.revoke(name)) {
        err(`revoked ${name}`);
        return 0;
      }
      err(`no token named ${name}`);
      return 1;
    }
  } catch (error) {
    if (error instanceof TokenError) {
      err(error.message);
      return 1;
    }
    throw error;
  }
  err(tokenUsage);
  return 2;
};
