import type { TokenStore } from "../auth/tokens.ts";
import { TokenError } from "../auth/tokens.ts";

export const tokenUsage = `usage: ccm token <create NAME | list | revoke NAME>

  create NAME   make a token; it is printed once, only its SHA-256 is stored
  list          names, creation times and fingerprints (never the tokens)
  revoke NAME   the token stops working on the next request`;

type Print = (line: string) => void;

/**
 * `ccm token create|list|revoke`: manages the bearer tokens kept (hashed) in Redis. Returns
 * the exit code. The token's name is the actor recorded on the events it causes.
 */
export const runTokenCommand = async (tokens: TokenStore, args: readonly string[], out: Print, err: Print): Promise<number> => {
  const [action, name] = args;
  try {
    if (action === "create" && name) {
      const { token, record } = await tokens.create(name);
      err(`created token ${record.name} (fingerprint ${record.fingerprint}); it is shown once, store it now:`);
      out(token);
      return 0;
    }
    if (action === "list" && !name) {
      const records = await tokens.list();
      if (records.length === 0) err("no tokens in Redis (the API_TOKEN / DATA_DIR token is not listed)");
      for (const record of records) out(`${record.name}\t${record.createdAt}\t${record.fingerprint}`);
      return 0;
    }
    if (action === "revoke" && name) {
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
