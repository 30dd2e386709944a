import type { Logger } from "pino";
import type { EventMeta } from "../../events/envelope.ts";
import { isDomainError, type DomainError } from "../../commands/errors.ts";
import type { SessionCommand } from "../../commands/session/index.ts";
import { toError } from "../errors.ts";
import type { SessionCommandHandler } from "../eventStore/sessionCommandHandler.ts";

/**
 * A job's write path: its commands reach the session one batch at a time, in the order they
 * were submitted. A failure that is not the decider's answer (Redis or the store briefly away)
 * is retried with capped backoff until the command lands, the decider refuses it, or the job
 * gives up (its lease is lost, or the runner is shutting down): dropping a line loses it, and
 * dropping the job's end would leave the session "running" for ever.
 */
export type RecorderDeps = {
  readonly commands: SessionCommandHandler;
  readonly sessionId: string;
  readonly meta: EventMeta;
  readonly logger: Logger;
  /** True once nothing more may be recorded: the job ended elsewhere or its lease is lost. */
  readonly stopped: () => boolean;
  /** True once retries are bounded (shutting down): a dead store must not hold the process open. */
  readonly hurried: () => boolean;
  /** The decider says the job is over elsewhere (swept as runner_lost, session deleted). */
  readonly onGone: (code: string) => void;
};

/** What became of a command: in the log, refused for good by the decider, or not recorded. */
export type Recorded = "recorded" | "refused" | "dropped";

type Pending = { readonly command: SessionCommand; readonly key: string | undefined; readonly settle: (outcome: Recorded) => void };

const MAX_BATCH = 200;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 2000;
const HURRIED_ATTEMPTS = 3;
/** Rejections meaning the job is over elsewhere (swept as runner_lost, session deleted). */
const GONE = new Set(["job_not_running", "session_deleted", "session_not_found"]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const createJobRecorder = (deps: RecorderDeps) => {
  const log = deps.logger;
  const pending: Pending[] = [];
  let draining: Promise<void> | null = null;

  const refused = (error: DomainError, size: number): Recorded | "split" => {
    if (GONE.has(error.code)) {
      deps.onGone(error.code);
      return "refused";
    }
    // One refused command must not take the rest of a batch with it.
    if (size > 1) return "split";
    log.error({ code: error.code, err: error.message }, "runner command refused");
    return "refused";
  };

  /**
   * One append for the whole batch: after a stall the backlog goes out in one round trip. A
   * retried batch is harmless: the session drops lines it has (by `seq`) and repeats of the
   * other runner commands; only a lone command with a key (the job's end) uses it.
   */
  const send = async (batch: readonly Pending[]): Promise<Recorded | "split"> => {
    const key = batch.length === 1 ? batch[0]?.key : undefined;
    for (let attempt = 1, delay = BACKOFF_FIRST_MS; ; attempt += 1, delay = Math.min(delay * 2, BACKOFF_MAX_MS)) {
      if (deps.stopped()) return "dropped";
      try {
        await deps.commands.execute(deps.sessionId, batch.map((item) => item.command), { meta: deps.meta, ...(key ? { idempotencyKey: key } : {}) });
        if (attempt > 1) log.info({ attempts: attempt }, "job output recorded again");
        return "recorded";
      } catch (error) {
        if (isDomainError(error)) return refused(error, batch.length);
        const err = toError(error).message;
        if (deps.hurried() && attempt >= HURRIED_ATTEMPTS) {
          log.error({ err, commands: batch.length, attempt }, "runner command not recorded (shutting down)");
          return "dropped";
        }
        // Once per stall, not once per retry: an outage can last minutes.
        if (attempt === 1) log.warn({ err, commands: batch.length }, "recording job output failed; retrying until the store is back");
        await sleep(delay);
      }
    }
  };

  const runBatch = async (batch: readonly Pending[]): Promise<void> => {
    const outcome = await send(batch);
    if (outcome !== "split") return batch.forEach((item) => item.settle(outcome));
    for (const item of batch) await runBatch([item]);
  };

  const drain = async () => {
    while (pending.length > 0) {
      const batch = pending.splice(0, MAX_BATCH);
      await runBatch(batch).catch((error: unknown) => {
        log.error({ err: toError(error).message }, "runner command crashed");
        batch.forEach((item) => item.settle("dropped"));
      });
    }
    draining = null;
  };

  return {
    /** Queues a command; resolves once it is recorded, refused or given up on. */
    submit: (command: SessionCommand, key?: string): Promise<Recorded> =>
      new Promise<Recorded>((settle) => {
        pending.push({ command, key, settle });
        draining ??= drain();
      }),
    /** Resolves once everything submitted so far is settled. */
    idle: (): Promise<void> => draining ?? Promise.resolve(),
  };
};

export type JobRecorder = ReturnType<typeof createJobRecorder>;
