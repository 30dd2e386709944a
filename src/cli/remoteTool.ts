import type { OwnerRecord } from "../infra/dataDirLock.ts";
import { readOwner } from "../infra/dataDirLock.ts";
import { readToolFrames, TOOL_STREAM_TYPE } from "./toolFrames.ts";
import type { ToolName } from "./tools.ts";

export interface RemoteIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly signal: AbortSignal;
}

/** How long a tool waits for a service that owns the folder but is still starting (not listening yet). */
const STARTING_WAIT_MS = 30_000;

/** The owner once it listens; null if it stopped meanwhile. Throws when it never listens. */
const listening = async (dataDir: string, owner: OwnerRecord): Promise<OwnerRecord | null> => {
  const deadline = Date.now() + STARTING_WAIT_MS;
  let current: OwnerRecord | null = owner;
  while (current !== null && (current.url === undefined || current.toolToken === undefined)) {
    if (Date.now() > deadline) {
      throw new Error(`the service that owns ${dataDir} (pid ${current.pid}) is not listening yet after ${STARTING_WAIT_MS / 1000} s; ccm needs its API to reach the data folder`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    current = readOwner(dataDir);
  }
  return current;
};

/**
 * Runs a tool inside the service that owns the data folder, over its admin route, and copies
 * its output here as it comes. Returns the exit code, or null when no service owns the folder
 * any more (the caller then runs the tool itself).
 */
export const runRemoteTool = async (dataDir: string, owner: OwnerRecord, name: ToolName, args: readonly string[], io: RemoteIo): Promise<number | null> => {
  const ready = await listening(dataDir, owner);
  if (ready === null) return null;
  const response = await fetch(`${ready.url}/api/admin/tools/${name}`, {
    method: "POST",
    headers: { authorization: `Bearer ${ready.toolToken}`, "content-type": "application/json" },
    body: JSON.stringify({ args, tty: io.err.isTTY === true }),
    signal: io.signal,
  }).catch((error: unknown) => {
    if (io.signal.aborted) return null;
    throw new Error(`could not reach the running service at ${ready.url} (pid ${ready.pid}): ${(error as Error).message}`);
  });
  if (response === null) return 130;
  if (!response.ok || response.headers.get("content-type") !== TOOL_STREAM_TYPE || response.body === null) {
    io.err.write(`the running service refused ccm ${name}: ${response.status} ${await response.text()}\n`);
    return 1;
  }
  try {
    const code = await readToolFrames(response.body, io);
    if (code !== null) return code;
    io.err.write(`the service stopped before ccm ${name} finished\n`);
    return 1;
  } catch (error) {
    if (!io.signal.aborted) throw error;
    io.err.write(`interrupted: ccm ${name} is stopped in the service too${name === "replay" ? " (run it again to resume)" : ""}\n`);
    return 130;
  }
};
