import { createReadStream } from "node:fs";
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import type { LocalIo } from "./cli/localTool.ts";
import { isToolName, type ToolName } from "./cli/tools.ts";
import type { OwnerRecord } from "./infra/dataDirLock.ts";

const usage = `usage: ccm <command> [options]

commands:
  start [--role api|runner|projector|notifier]
                                        run the service (all roles unless --role is given; repeatable)
  pair [--url URL] [--name NAME]        a QR code (and text) with the URL and a fresh mobile token for a phone
  token create NAME [--scope mobile|auditor|admin] | list | revoke NAME
                                        manage API tokens
  decode [file|-]                       decode captured stream-json; one JSON line per message, then a summary
  history scan|ls|show                  index and read Claude Code's on-disk transcripts (CLAUDE_CONFIG_DIR)
  replay [projection|--all] [--from auto|archive|redis] [--dry-run]
                                        rebuild read models into shadow tables and swap them in
  projections [--json] [--dead-letters] list projections with checkpoint, lag and dead letters
  events ls|show|tail|verify|export     inspect, verify and export the event history (ccm events for help)
  restore --from archive [--force]      rebuild Redis from the Postgres archive after Redis lost its data
  migrate                               run database migrations and exit (start-up runs them too)

While a service runs on the same DATA_DIR, the commands above run inside it (through its admin
API), since the embedded Redis and PGlite belong to one process.
`;

/** Errors whose message is the whole story for the user (no stack trace). */
const USER_ERRORS = new Set(["ConfigError", "DataDirBusyError"]);

const loadConfig = async (): Promise<Readonly<Config>> => {
  const [{ default: dotenv }, { parseConfig }] = await Promise.all([import("dotenv"), import("./config.ts")]);
  dotenv.config({ quiet: true });
  return parseConfig(process.env);
};

const createLogger = async (level: Config["LOG_LEVEL"]): Promise<Logger> => (await import("./logger.ts")).createLogger(level);

/** How long a stop may take after a second Ctrl-C before the process exits anyway. */
const FORCED_STOP_MS = 10_000;

/**
 * `ccm start`. Ctrl-C (SIGINT, sent to the terminal's whole process group) or SIGTERM stops
 * the service gracefully: running jobs get RUNNER_SHUTDOWN_GRACE_MS, then are stopped and
 * recorded as runner_shutdown; the embedded Redis, in a session of its own so the terminal's
 * Ctrl-C does not reach it, is stopped last. A second one stops the jobs at once; a third exits.
 */
const start = async (args: string[]) => {
  const { values } = parseArgs({ args, options: { role: { type: "string", multiple: true } } });
  const { allRoles, start: startService } = await import("./main.ts");
  const { ConfigError } = await import("./config.ts");
  const roles = (values.role ?? [...allRoles]) as (typeof allRoles)[number][];
  const unknown = roles.filter((role) => !allRoles.includes(role));
  if (unknown.length > 0) throw new ConfigError(`unknown role ${unknown.join(", ")}; use api, runner, projector or notifier`);
  const config = await loadConfig();
  const logger = await createLogger(config.LOG_LEVEL);
  let service: Awaited<ReturnType<typeof startService>> | null = null;
  let signals = 0;
  const stop = async () => {
    await service?.stop();
    logger.info("stopped");
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      logger.info({ signal }, "shutting down: running jobs get RUNNER_SHUTDOWN_GRACE_MS to finish (Ctrl-C again stops them now)");
      if (service) void stop();
    } else if (signals === 2) {
      logger.warn({ signal }, "stopping now: running jobs are stopped and recorded as runner_shutdown");
      service?.hurry();
      setTimeout(() => process.exit(130), FORCED_STOP_MS).unref();
    } else process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  service = await startService(config, { roles, env: process.env, logger });
  logger.info({ url: service.url }, "service ready");
  if (signals > 0) void stop();
  return null;
};

const decode = async (args: string[]) => {
  const { runDecode } = await import("./cli/decode.ts");
  const [file] = args;
  await runDecode(!file || file === "-" ? process.stdin : createReadStream(file), process.stdout);
  return 0;
};

/** Ctrl-C stops the tool (`tail` ends, `replay` keeps what it built); a second one, or 3 s later, exits. */
const interruptible = () => {
  const controller = new AbortController();
  process.once("SIGINT", () => {
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
    setTimeout(() => process.exit(130), 3000).unref();
  });
  return controller.signal;
};

/**
 * Beside a service without the api role (`--role runner` on the embedded Redis): a tool that
 * needs only Redis uses the Redis it recorded; one that needs the database cannot have it.
 */
const besideRunner = async (config: Readonly<Config>, owner: OwnerRecord, name: ToolName, args: string[], io: LocalIo) => {
  const { ConfigError } = await import("./config.ts");
  const { needsDatabase } = await import("./cli/tools.ts");
  if (needsDatabase(name) || owner.redisUrl === undefined) {
    throw new ConfigError(`the service that owns ${config.DATA_DIR} (pid ${owner.pid}) runs without the api role, so it cannot run ccm ${name}; stop it first, or run a service with the api role on this folder`);
  }
  const { runLocalTool } = await import("./cli/localTool.ts");
  return runLocalTool({ ...config, REDIS_URL: owner.redisUrl }, name, args, io);
};

/**
 * A tool runs inside the service that owns the data folder when one runs, else here over the
 * stores it opens itself (under the folder's lock when they are embedded).
 */
const tool = (name: ToolName) => async (args: string[]) => {
  const config = await loadConfig();
  const logger = await createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  const io = { out: process.stdout, err: process.stderr, signal: interruptible(), logger };
  const { readOwner } = await import("./infra/dataDirLock.ts");
  const owner = readOwner(config.DATA_DIR);
  if (owner?.command === "start" && owner.api === false) return besideRunner(config, owner, name, args, io);
  if (owner?.command === "start") {
    const { runRemoteTool } = await import("./cli/remoteTool.ts");
    const code = await runRemoteTool(config.DATA_DIR, owner, name, args, io);
    if (code !== null) return code;
  }
  const { runLocalTool } = await import("./cli/localTool.ts");
  return runLocalTool(config, name, args, io);
};

const commandOf = (name: string | undefined): ((args: string[]) => Promise<number | null>) | undefined => {
  if (name === "start") return start;
  if (name === "decode") return decode;
  return name !== undefined && isToolName(name) ? tool(name) : undefined;
};

const main = async () => {
  const [name, ...args] = process.argv.slice(2);
  const command = commandOf(name);
  if (!command) {
    console.error(usage);
    return name === undefined || name === "help" || name === "--help" ? 0 : 2;
  }
  return command(args);
};

/** Exits once stdout and stderr have taken everything written to them: a pipe gets the whole output, whatever its size. */
const exitAfterOutput = async (code: number) => {
  process.exitCode = code;
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))));
  process.exit(code);
};

main().then(
  (code) => {
    if (code !== null) void exitAfterOutput(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error && USER_ERRORS.has(error.name) ? error.message : error);
    void exitAfterOutput(1);
  },
);
