import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { generateToken, type StaticToken } from "./tokens.ts";

export const TOKEN_FILE = "api-token";

const readExisting = (path: string): string | null => {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
};

/**
 * The token the service accepts without Redis: API_TOKEN (actor `env`) when set, otherwise
 * one generated on first start into DATA_DIR/api-token with mode 0600 (actor `local`). The
 * log names the file, never the token. It is the operator's own credential, so it has the
 * admin scope; phones and auditors get narrower tokens from `ccm token create --scope`.
 */
export const bootstrapToken = (config: { API_TOKEN?: string | undefined; DATA_DIR: string }, logger: Logger): StaticToken => {
  if (config.API_TOKEN) {
    logger.info({ actor: "env" }, "auth: API_TOKEN from the environment is accepted");
    return { name: "env", token: config.API_TOKEN, scope: "admin" };
  }
  const path = join(config.DATA_DIR, TOKEN_FILE);
  const existing = readExisting(path);
  if (existing) {
    // Someone may have copied the file around with a looser mode: keep it private.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    logger.info({ path, actor: "local" }, "auth: using the API token stored in DATA_DIR");
    return { name: "local", token: existing, scope: "admin" };
  }
  const token = generateToken();
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  logger.warn({ path, actor: "local" }, "auth: generated an API token; read it from this file (it is not logged)");
  return { name: "local", token, scope: "admin" };
};
