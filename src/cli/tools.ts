import type { Database } from "../infra/database.ts";
import type { ToolContext } from "./toolContext.ts";

/**
 * The `ccm` commands that work on the service's stores. Each runs the same way in two places:
 * in the ccm process over stores it opened itself (no service owns the data folder), or inside
 * the running service over its own clients (`POST /api/admin/tools/:name`), so that PGlite and
 * the embedded Redis's AOF are never opened a second time.
 */
export const toolNames = ["token", "pair", "events", "projections", "replay", "restore", "history", "migrate"] as const;
export type ToolName = (typeof toolNames)[number];

export const isToolName = (name: string): name is ToolName => (toolNames as readonly string[]).includes(name);

/** Whether a tool reads the database (the others need Redis only, and open no database). */
export const needsDatabase = (name: ToolName): boolean => name !== "token" && name !== "pair";

const databaseOf = (context: ToolContext): Database => {
  if (context.db === null) throw new Error("this command needs the database");
  return context.db;
};

const printer = (stream: NodeJS.WritableStream) => (line: string) => void stream.write(`${line}\n`);

/** Runs one tool; returns its exit code. Modules load on demand, so a command loads only what it uses. */
export const runTool = async (name: ToolName, args: readonly string[], context: ToolContext): Promise<number> => {
  const { store, logger, out, err, signal } = context;
  const projections = async () => (await import("../../projections/index.ts")).allProjections;
  switch (name) {
    case "token":
      return (await import("./token.ts")).runTokenCommand(context.tokens, args, printer(out), printer(err));
    case "pair":
      return (await import("./pair.ts")).runPair(args, context);
    case "events":
      return (await import("./events.ts")).runEvents(args, { store, db: databaseOf(context), out, err, signal });
    case "projections":
      return (await import("./projections.ts")).runProjections(args, { db: databaseOf(context), store, logger, projections: await projections(), out, err });
    case "replay":
      return (await import("./replay.ts")).runReplay(args, { db: databaseOf(context), store, logger, projections: await projections(), out, err, signal });
    case "restore":
      return (await import("./restore.ts")).runRestore(args, {
        db: databaseOf(context), store, logger, keyPrefix: context.config.REDIS_KEY_PREFIX, projections: await projections(), out, err,
      });
    case "history":
      return (await import("./history.ts")).runHistory([...args], { db: databaseOf(context), claudeConfigDir: context.config.CLAUDE_CONFIG_DIR, logger, stdout: out, stderr: err });
    case "migrate": {
      const count = await (await import("../infra/migrate.ts")).migrateToLatest(databaseOf(context), logger);
      printer(out)(`migrations applied: ${count}`);
      return 0;
    }
    default: {
      const unknown: never = name;
      throw new Error(`no tool ${String(unknown)}`);
    }
  }
};
