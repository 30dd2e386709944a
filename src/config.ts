import { homedir, hostname } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((value) => value === "1" || value === "true" || value === "yes");

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value));

const expandHome = (path: string) => (path === "~" || path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  HOST: z.string().min(1).default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATA_DIR: z.string().min(1).default("./.data"),
  REDIS_URL: optionalText.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  /** `host:port,host:port,...` of a Redis Cluster (some of its masters); every role then uses the cluster. */
  REDIS_CLUSTER_NODES: optionalText.pipe(z.string().regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, "host:port,host:port,...").optional()),
  REDIS_DURABILITY: z.enum(["everysec", "strict"]).default("everysec"),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/, "letters, digits, ':', '_' or '-'").default("ccm:"),
  PARTITIONS: z.coerce.number().int().min(1).max(1024).default(8),
  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DB_HOST: optionalText,
  DB_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
  DB_NAME: z.string().min(1).default("claude_code_mobile"),
  DB_USER: z.string().min(1).default("postgres"),
  DB_PASSWORD: z.string().default(""),
  CLAUDE_CODE_PATH: optionalText,
  CLAUDE_CODE_SIMULATE: flag,
  CLAUDE_CONFIG_DIR: z.string().min(1).default("~/.claude"),
  GITHUB_REPOS_DIRECTORY: z.string().min(1).default("~/github"),
  API_TOKEN: optionalText.pipe(z.string().min(16, "at least 16 characters").optional()),
  /** Serves GET /metrics without a token on 127.0.0.1:METRICS_PORT (for a local scraper); off when unset. */
  METRICS_PORT: optionalText.pipe(z.coerce.number<string | undefined>().int().min(1).max(65535).optional()),
  /** Browser origins allowed to call the API (CORS), comma-separated; none by default. */
  CORS_ORIGINS: optionalText.transform((value, context) => {
    const origins = (value ?? "").split(",").map((origin) => origin.trim()).filter((origin) => origin !== "");
    for (const origin of origins) {
      if (URL.canParse(origin) && new URL(origin).origin === origin) continue;
      context.addIssue({ code: "custom", message: `${origin} is not an origin (scheme://host[:port], nothing after it)` });
    }
    return origins;
  }),
  /** How long a command keeps retrying while other processes change its session (then 503 contention_timeout). */
  COMMAND_DEADLINE_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
  /** Sessions whose folded state each process keeps in memory for the command path. */
  COMMAND_CACHE_SESSIONS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /**
   * Under sustained load each projection reads the log at most once per this many ms, so one
   * transaction carries many events (the first event after a quiet spell is read at once).
   */
  PROJECTOR_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(5000).default(100),
  /** How long a GET with minPosition waits for the read models to pass it. */
  READ_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2000),
  /** This runner's machine (a session belongs to one); an api uses it to know whether its own host runs one. */
  MACHINE_ID: optionalText.pipe(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "1-64 letters, digits, '.', '_' or '-'").optional()),
  /** The machine's name as the phone shows it. */
  MACHINE_NAME: optionalText.pipe(z.string().max(100).optional()),
  /** How often a runner says its machine is alive; it shows offline after three beats are missed. */
  MACHINE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  RUNNER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** A running job's lease; a job whose lease lapses is failed as `runner_lost`. */
  RUNNER_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(15_000),
  /** Between SIGTERM and SIGKILL of a cancelled job's process group. */
  RUNNER_KILL_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(5_000),
  /** On shutdown, running jobs get this long to finish before they are killed and failed. */
  RUNNER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** A stdout line over this size is stored as `{ truncated, originalBytes, sha256 }`. */
  RUNNER_MAX_LINE_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** A tool result over this size is stored as `{ truncated, originalBytes, sha256 }`. */
  RUNNER_MAX_TOOL_RESULT_BYTES: z.coerce.number().int().min(256).max(64 * 1024 * 1024).default(256 * 1024),
  /** How long a permission request waits for the phone; then it is answered no and recorded as expired (0: for ever). */
  PERMISSION_TIMEOUT_MS: z.coerce.number().int().min(0).max(7 * 24 * 60 * 60 * 1000).default(30 * 60 * 1000),
  /** Let a session or prompt choose permissionMode `bypassPermissions` (any tool runs unasked). Off by default. */
  RUNNER_ALLOW_BYPASS_PERMISSIONS: flag,
  /** Largest request body accepted, in bytes (413 above it). */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** How long a request's headers and body may take to arrive before it is answered 408 (slow or truncated uploads). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** Longest prompt accepted, in characters (413 above it). */
  PROMPT_MAX_CHARS: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** Rate limits per token and window, backed by Redis: reads, prompt POSTs, other writes. */
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).max(24 * 60 * 60 * 1000).default(60_000),
  RATE_LIMIT_READS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_PROMPTS: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_WRITES: z.coerce.number().int().min(1).default(120),
  /** Failed authentications (missing or unknown token) one client address may have per window; then 429. */
  RATE_LIMIT_AUTH_FAILURES: z.coerce.number().int().min(1).default(20),
  /** The deployment's VAPID key pair (base64url); both or neither. Neither: generated once and kept in Redis. */
  VAPID_PUBLIC_KEY: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_-]{80,100}$/, "a base64url P-256 public key").optional()),
  VAPID_PRIVATE_KEY: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_-]{40,50}$/, "a base64url P-256 private key").optional()),
  /** Who the push services may contact about this sender (mailto: or https:). */
  VAPID_SUBJECT: z.string().regex(/^(mailto:|https:\/\/)\S+$/, "a mailto: or https: URL").default("mailto:push@claude-code-mobile.invalid"),
  /** Expo's push API (a test points it at a stand-in). */
  EXPO_PUSH_URL: z.url({ protocol: /^https?$/ }).default("https://exp.host/--/api/v2/push/send"),
  EXPO_ACCESS_TOKEN: optionalText,
  /** How long one push or webhook request may stay silent before it is abandoned (and retried). */
  PUSH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Attempts per delivery (429, 5xx and network errors are retried with backoff); then it is `failed`. */
  PUSH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** First retry delay (doubled each time, jittered); the cap also bounds a Retry-After. */
  PUSH_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  PUSH_RETRY_MAX_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  /** Deliveries one notifier process sends at once. */
  PUSH_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  /** A foreground mark lapses this long after its live stream stops refreshing it. */
  PUSH_FOREGROUND_TTL_MS: z.coerce.number().int().min(300).max(600_000).default(30_000),
});

/** The host name as a machine id: characters a machine id may not hold become '-'. */
const defaultMachineId = () => hostname().replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64) || "localhost";

export type RawConfig = z.infer<typeof schema>;

export interface Config extends Omit<RawConfig, "DATA_DIR" | "GITHUB_REPOS_DIRECTORY" | "CLAUDE_CONFIG_DIR" | "DATABASE_URL" | "MACHINE_ID" | "MACHINE_NAME"> {
  readonly DATA_DIR: string;
  readonly GITHUB_REPOS_DIRECTORY: string;
  readonly CLAUDE_CONFIG_DIR: string;
  /** From DATABASE_URL, or built from DB_* when DB_HOST is set; undefined means embedded PGlite. */
  readonly DATABASE_URL: string | undefined;
  /** MACHINE_ID, else the host name (made safe). */
  readonly MACHINE_ID: string;
  /** MACHINE_NAME, else the machine id. */
  readonly MACHINE_NAME: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Parses the environment once; a bad value stops start-up with the variable's name. */
export const parseConfig = (env: Record<string, string | undefined>): Readonly<Config> => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const raw = parsed.data;
  if (raw.REDIS_URL !== undefined && raw.REDIS_CLUSTER_NODES !== undefined) {
    throw new ConfigError("invalid configuration:\n  REDIS_CLUSTER_NODES: set either REDIS_URL or REDIS_CLUSTER_NODES, not both");
  }
  if ((raw.VAPID_PUBLIC_KEY === undefined) !== (raw.VAPID_PRIVATE_KEY === undefined)) {
    throw new ConfigError("invalid configuration:\n  VAPID_PRIVATE_KEY: set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither");
  }
  const machineId = raw.MACHINE_ID ?? defaultMachineId();
  const databaseUrl =
    raw.DATABASE_URL ??
    (raw.DB_HOST
      ? `postgres://${encodeURIComponent(raw.DB_USER)}:${encodeURIComponent(raw.DB_PASSWORD)}@${raw.DB_HOST}:${raw.DB_PORT}/${encodeURIComponent(raw.DB_NAME)}`
      : undefined);
  return Object.freeze({
    ...raw,
    DATA_DIR: resolve(expandHome(raw.DATA_DIR)),
    GITHUB_REPOS_DIRECTORY: resolve(expandHome(raw.GITHUB_REPOS_DIRECTORY)),
    CLAUDE_CONFIG_DIR: resolve(expandHome(raw.CLAUDE_CONFIG_DIR)),
    DATABASE_URL: databaseUrl,
    MACHINE_ID: machineId,
    MACHINE_NAME: raw.MACHINE_NAME ?? machineId,
  });
};

const maskUrl = (url: string | undefined) => {
  if (!url) return url;
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "*****";
  return parsed.toString();
};

/** Every effective setting, secrets masked: what the start-up log prints. */
export const describeConfig = (config: Readonly<Config>): Record<string, unknown> => ({
  ...config,
  REDIS_URL: config.REDIS_URL ? maskUrl(config.REDIS_URL) : config.REDIS_CLUSTER_NODES ? "(cluster)" : "(embedded redis-server)",
  DATABASE_URL: config.DATABASE_URL ? maskUrl(config.DATABASE_URL) : "(embedded PGlite)",
  DB_PASSWORD: config.DB_PASSWORD ? "*****" : "",
  API_TOKEN: config.API_TOKEN ? "*****" : "(generated into DATA_DIR)",
  VAPID_PUBLIC_KEY: config.VAPID_PUBLIC_KEY ?? "(generated once, kept in Redis)",
  VAPID_PRIVATE_KEY: config.VAPID_PRIVATE_KEY ? "*****" : "(generated once, kept in Redis)",
  EXPO_ACCESS_TOKEN: config.EXPO_ACCESS_TOKEN ? "*****" : "(none)",
});
