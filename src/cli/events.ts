import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { findEvent, queryEvents, type AuditEvent, type EventFilter } from "../audit/eventsQuery.ts";
import { exportFormats, exportStream, type ExportFormat } from "../audit/export.ts";
import { tailEvents } from "../audit/tail.ts";
import { verifyAll, verifySession, type SessionVerdict } from "../audit/verify.ts";
import { AppError } from "../errors.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { Database } from "../infra/database.ts";
import { createProgress, type ProgressOutput } from "./progress.ts";

export const eventsUsage = `usage: ccm events <command>

  ls [--session S] [--type T] [--actor A] [--from TIME] [--to TIME] [--after POS] [--limit N] [--json]
                      archived events in log order; prints the cursor for the next page
  show <eventId | sessionId:version>
                      one event, in full (archive first, then Redis)
  tail [--session S] [--json]
                      live events as they are appended, until Ctrl-C
  verify --session S | --all [--json]
                      check the hash chains in Redis and the archive, every archive column
                      against its sealed event, log order, and that the copies agree;
                      exit code 1 on any failure
  export [--session S] [--format ndjson|csv] [filters of ls]
                      stream archived events to stdout, any size`;

export interface EventsDeps {
  readonly store: EventStore;
  readonly db: Database;
  /** Results (stdout): a stream, so exports keep backpressure. */
  readonly out: NodeJS.WritableStream;
  /** Messages and progress (stderr). */
  readonly err: ProgressOutput;
  /** Ends `tail`. */
  readonly signal?: AbortSignal;
}

const filterOptions = {
  session: { type: "string" }, type: { type: "string" }, actor: { type: "string" }, from: { type: "string" }, to: { type: "string" },
  after: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" }, all: { type: "boolean" }, format: { type: "string" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof filterOptions; allowPositionals: true }>>["values"];

class UsageError extends Error {
  override readonly name = "UsageError";
}

const filterOf = (values: Values): EventFilter => {
  const entries = { sessionId: values.session, type: values.type, actor: values.actor, from: values.from, to: values.to, after: values.after };
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as EventFilter;
};

const line = (event: AuditEvent) => [event.position, event.occurredAt, `${event.sessionId}:${event.version}`, event.type, event.meta.actor].join("\t");

const ls = async (deps: EventsDeps, values: Values, print: (text: string) => void) => {
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError("--limit is a whole number from 1 to 10000");
  const page = await queryEvents(deps.db, filterOf(values), limit);
  for (const event of page.events) print(values.json ? JSON.stringify(event) : line(event));
  deps.err.write(page.next === null ? `${page.events.length} events\n` : `${page.events.length} events; more with --after ${page.next}\n`);
  return 0;
};

/** From the archive, else (for sessionId:version) from the session stream in Redis. */
const show = async (deps: EventsDeps, ref: string | undefined, print: (text: string) => void) => {
  if (!ref) throw new UsageError("show needs an eventId or sessionId:version");
  const event = (await findEvent(deps.db, ref)) ?? (await fromRedis(deps.store, ref));
  if (!event) {
    deps.err.write(`no event ${ref}\n`);
    return 1;
  }
  print(JSON.stringify(event, null, 2));
  return 0;
};

/** A sessionId:version not archived yet, from its session stream (whose entry ids are 0-<version>). */
const fromRedis = async (store: EventStore, ref: string) => {
  const match = /^(.+):(\d{1,9})$/.exec(ref);
  if (!match) return null;
  const version = Number(match[2]);
  const [envelope] = await store.readEvents(match[1] ?? "", version, version);
  return envelope ? { position: null, ...envelope } : null;
};

const tail = async (deps: EventsDeps, values: Values, print: (text: string) => void) => {
  const onReady = () => void deps.err.write(`tailing ${values.session ? `session ${values.session}` : "all sessions"}; Ctrl-C to stop\n`);
  const options = { onReady, ...(values.session ? { sessionId: values.session } : {}), ...(deps.signal ? { signal: deps.signal } : {}) };
  for await (const event of tailEvents(deps.store, options)) print(values.json ? JSON.stringify(event) : line(event));
  return 0;
};

const describeVerdict = (verdict: SessionVerdict) =>
  verdict.ok
    ? `ok ${verdict.sessionId}: ${verdict.events} events${verdict.archiveBehind > 0 ? ` (${verdict.archiveBehind} not archived yet)` : ""}`
    : `FAIL ${verdict.sessionId}: version ${verdict.firstBadVersion} ${verdict.reason}${verdict.column ? ` ${verdict.column}` : ""} (${verdict.source})`;

const verify = async (deps: EventsDeps, values: Values, print: (text: string) => void) => {
  if (values.session !== undefined && !values.all) {
    const verdict = await verifySession(deps, values.session);
    if (verdict.events === 0) {
      deps.err.write(`no events of session ${values.session} in Redis or the archive\n`);
      return 1;
    }
    print(values.json ? JSON.stringify(verdict) : describeVerdict(verdict));
    return verdict.ok ? 0 : 1;
  }
  if (!values.all || values.session !== undefined) throw new UsageError("verify needs --session S or --all");
  const progress = createProgress(deps.err, "verify");
  const result = await verifyAll(deps, { onProgress: (done, total) => progress.update(done, total) });
  progress.finish(`verified ${result.sessions} sessions, ${result.events} events: ${result.failures.length === 0 ? "all ok" : `${result.failures.length} FAILED`}`);
  for (const failure of result.failures) print(values.json ? JSON.stringify(failure) : describeVerdict(failure));
  return result.failures.length === 0 ? 0 : 1;
};

const exportEvents = async (deps: EventsDeps, values: Values) => {
  const format = (values.format ?? "ndjson") as ExportFormat;
  if (!exportFormats.includes(format)) throw new UsageError(`--format is one of ${exportFormats.join(", ")}`);
  if (values.session !== undefined) {
    const behind = await archiveLag(deps, values.session);
    if (behind > 0) deps.err.write(`note: ${behind} newer events of this session are not archived yet and are not in the export\n`);
  }
  await pipeline(exportStream(deps.db, filterOf(values), format), deps.out, { end: false });
  return 0;
};

/** How many of a session's events Redis has beyond the archive. */
const archiveLag = async (deps: EventsDeps, sessionId: string) => {
  const head = await deps.store.readHead(sessionId);
  const row = (await deps.db.selectFrom("event_archive").select((eb) => eb.fn.max("version").as("v")).where("session_id", "=", sessionId).executeTakeFirst()) as { v: number | null } | undefined;
  return Math.max(0, head.version - (row?.v ?? 0));
};

/** `ccm events ls|show|tail|verify|export`. Returns the exit code. */
export const runEvents = async (args: readonly string[], deps: EventsDeps): Promise<number> => {
  const print = (text: string) => void deps.out.write(`${text}\n`);
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: filterOptions, allowPositionals: true, strict: true });
    const [command, ref] = positionals;
    if (command === "ls") return await ls(deps, values, print);
    if (command === "show") return await show(deps, ref, print);
    if (command === "tail") return await tail(deps, values, print);
    if (command === "verify") return await verify(deps, values, print);
    if (command === "export") return await exportEvents(deps, values);
    deps.err.write(`${eventsUsage}\n`);
    return 2;
  } catch (error) {
    const usage = error instanceof UsageError || String((error as { code?: string }).code).startsWith("ERR_PARSE_ARGS");
    if (!usage && !(error instanceof AppError && error.statusCode < 500)) throw error;
    deps.err.write(`${(error as Error).message}\n${usage ? `${eventsUsage}\n` : ""}`);
    return 2;
  }
};
