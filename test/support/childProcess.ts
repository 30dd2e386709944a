import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/**
 * Runs a TypeScript entry point of the tests as a process of its own (a runner, an api) and
 * waits for the one JSON line it prints once ready. `stop()` kills it and waits for its exit.
 */
export const startChild = async (script: URL, env: Record<string, string | undefined>) => {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script.pathname], { env, stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit");
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await Promise.race([once(lines, "line"), exited.then(() => { throw new Error(`${script.pathname} exited before it was ready`); })])) as [string];
  return {
    child,
    ready: JSON.parse(line) as Record<string, unknown>,
    stop: async (signal: NodeJS.Signals = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
};

export type Child = Awaited<ReturnType<typeof startChild>>;
