import { readdirSync, readFileSync } from "node:fs";
import type { RedisClient } from "./redis.ts";

/** `append-4.lua` → `ccmAppend` with 4 keys. */
const SCRIPT_FILE = /^([a-z][a-zA-Z]*)-(\d+)\.lua$/;

/** The ioredis command name of a script file's base name. */
export const scriptCommand = (name: string): string => `ccm${name[0]?.toUpperCase() ?? ""}${name.slice(1)}`;

/**
 * Defines every `<name>-<keys>.lua` of `folder` on `redis` as the command `ccm<Name>`, whose
 * first `<keys>` arguments are keys: the file name says how to call it (bullmq's convention),
 * and each script's header says what KEYS, ARGV and the reply are. ioredis sends EVALSHA and
 * falls back to EVAL once per connection. Defining twice on one connection is a no-op.
 */
export const defineScripts = (redis: RedisClient, folder: URL): void => {
  for (const file of readdirSync(folder)) {
    const match = SCRIPT_FILE.exec(file);
    if (!match?.[1] || !match[2]) continue;
    const command = scriptCommand(match[1]);
    if (typeof (redis as unknown as Record<string, unknown>)[command] === "function") continue;
    redis.defineCommand(command, { numberOfKeys: Number(match[2]), lua: readFileSync(new URL(file, folder), "utf8") });
  }
};
