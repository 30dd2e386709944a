import { createReadStream } from "node:fs";
import { parseArgs } from "node:util";
import dotenv from "dotenv";
import type { Logger } from "pino";
import { ConfigError, parseConfig, type Config } from "./config.ts";
import { createLogger } from "./logger.ts";
import { createTokenStore } from "./auth/tokens.ts";
import { runTokenCommand } from "./cli/token.ts";
import { openDatabase, type Database } from "./infra/database.ts";
import { allProjections } from "../projections/index.ts";
import { createEventStore, type EventStore } from "./eventStore/eventStore.ts";
import { connectRedis } from "./infra/redis.ts";
import { migrateToLatest } from "./infra/migrate.ts";
import { allRoles, start as startService, type Role } from "./main.ts";

const usage = `usage: ccm <command> [options]

commands:
  start [--role api|runner|projector]   run the service (all roles unless --role is given; repeatable)
  migrate                               run database migrations and exit
  token create NAME [--scope mobile|auditor|admin] | list | revoke NAME
                                        manage API tokens (with the embedded Redis, run it
                                        while the service is stopped, or set REDIS_URL)
  decode [file|-]                       decode captured stream-json; one JSON line per message, then a summary
  history scan|ls|show                  index and read Claude Code's on-disk transcripts (CLAUDE_CONFIG_DIR)
  replay [projection|--all] [--from archive|redis] [--dry-run]
                                        rebuild read models into shadow tables and swap them in
  projections [--json] [--dead-letters] list projections with checkpoint, lag and dead letters
  events ls|show|tail|verify|export     inspect, verify and export the event history (ccm events for help)
  restore --from archive [--force]      rebuild Redis from the Postgres archive after Redis lost its data
`;

const loadConfig = () => {
  dotenv.config({ quiet: true });
  return parseConfig(process.env);
};

const start = async (args: string[]) => {
  const { values } = parseArgs({ args, options: { role: { type: "string", multiple: true } } });
  const roles = (values.role ?? [...allRoles]) as Role[];
  const unknown = roles.filter((role) => !allRoles.includes(role));
  if (unknown.length > 0) throw new ConfigError(`unknown role ${unknown.join(", ")}; use api, runner or projector`);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const service = await startService(config, { roles, env: process.env, logger });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await service.stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  return null;
};

/** Opens the configured database, migrated, for a command that needs it; closes it after. */
const withDatabase = async (run: (deps: { db: Database; config: Readonly<Config>; logger: Logger }) => Promise<number>) => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  try {
    await migrateToLatest(database.db, logger);
    return await run({ db: database.db, config, logger });
  } finally {
    await database.close();
  }
};

const migrate = async () => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  try {
    const count = await migrateToLatest(database.db, logger);
    console.log(`migrations applied: ${count}`);
  } finally {
    await database.close();
  }
  return 0;
};

const history = (args: string[]) =>
  withDatabase(async ({ db, config, logger }) => {
    const { runHistory } = await import("./cli/history.ts");
    return runHistory(args, { db, claudeConfigDir: config.CLAUDE_CONFIG_DIR, logger });
  });

const decode = async (args: string[]) => {
  const { runDecode } = await import("./cli/decode.ts");
  const [file] = args;
  await runDecode(!file || file === "-" ? process.stdin : createReadStream(file), process.stdout);
  return 0;
};

const token = async (args: string[]) => {
  const config = loadConfig();
  const redis = await connectRedis(config, createLogger("warn"));
  try {
    const tokens = createTokenStore({ redis: redis.redis, prefix: config.REDIS_KEY_PREFIX });
    return await runTokenCommand(tokens, args, (line) => console.log(line), (line) => console.error(line));
  } finally {
    await redis.close();
  }
};

/** Opens the event store (REDIS_URL, or the embedded server) and the database for a command. */
const withStore = (run: (deps: { db: Database; store: EventStore; logger: Logger; config: Readonly<Config> }) => Promise<number>) =>
  withDatabase(async ({ db, config, logger }) => {
    const redis = await connectRedis(config, logger);
    try {
      const store = await createEventStore({ redis: redis.redis, prefix: config.REDIS_KEY_PREFIX, partitions: config.PARTITIONS, logger });
      return await run({ db, store, logger, config });
    } finally {
      await redis.close();
    }
  });

/** `ccm events`: reads the archive (Postgres) and the event store (Redis) directly. */
const events = (args: string[]) =>
  withStore(async ({ db, store }) => {
    const { runEvents } = await import("./cli/events.ts");
    const stop = new AbortController();
    // Ctrl-C ends `tail` cleanly; anything else stops at once, as usual.
    process.once("SIGINT", () => (args[0] === "tail" ? stop.abort() : process.exit(130)));
    return runEvents(args, { store, db, out: process.stdout, err: process.stderr, signal: stop.signal });
  });

const replay = (args: string[]) =>
  withStore(async ({ db, store, logger }) => {
    const { runReplay } = await import("./cli/replay.ts");
    return runReplay(args, { db, store, logger, projections: allProjections, out: process.stdout, err: process.stderr });
  });

const restore = (args: string[]) =>
  withStore(async ({ db, store, logger, config }) => {
    const { runRestore } = await import("./cli/restore.ts");
    return runRestore(args, { db, store, logger, keyPrefix: config.REDIS_KEY_PREFIX, projections: allProjections, out: process.stdout, err: process.stderr });
  });

const projections = (args: string[]) =>
  withStore(async ({ db, store, logger }) => {
    const { runProjections } = await import("./cli/projections.ts");
    return runProjections(args, { db, store, logger, projections: allProjections, out: process.stdout, err: process.stderr });
  });

const commands: Record<string, (args: string[]) => Promise<number | null>> = {
  start, migrate, decode, token, history, events, replay, restore, projections,
};

const main = async () => {
  const [name, ...args] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(usage);
    return name === undefined || name === "help" || name === "--help" ? 0 : 2;
  }
  return command(args);
};

main().then(
  (code) => {
    if (code !== null) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
