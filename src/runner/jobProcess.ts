import type { Logger } from "pino";
import type { EventMeta } from "../../events/envelope.ts";
import { type RecordedDecision, type SessionCommand, type SessionState } from "../../commands/session/index.ts";
import { createDecodeCounters, decodeSplitLine } from "../claude/decodeStream.ts";
import { createLineSplitter, type SplitLine } from "../claude/lineSplitter.ts";
import type { DecodedLine, ResultLine } from "../claude/streamJson.ts";
import { toError } from "../errors.ts";
import { InvalidOptionsError, resolveCliOptions, type CliOptions } from "../claude/cliOptions.ts";
import { createJobRecorder } from "./jobRecorder.ts";
import { openProjectFolder, type OpenFolder } from "./projectFolder.ts";
import { createApprovals } from "./approvals.ts";
import { createWorkingReporter } from "./workingReporter.ts";
import type { WorkingStates } from "../live/workingState.ts";
import { completion, isLiveOnly, persistedSessionIdOf, storedKind, storedMessage } from "./runnerMessages.ts";
import type { SessionCommandHandler } from "../eventStore/sessionCommandHandler.ts";
import { buildClaudeArgs, type ChildHandle, type ExitInfo, type Launcher } from "./spawnClaude.ts";
import { closeInput, interruptLine, permissionResponseLine, userMessageLine, writeLine } from "./stdinProtocol.ts";

/**
 * One job: spawns the CLI for one prompt, turns every line it prints into a command on the
 * session (in order, one at a time), and ends the job with JobCompleted / JobFailed /
 * JobCancelled once the process has exited. Reads to exit: a process may print several
 * init/result pairs. Stdin stays open for approvals until the turn's `result`. The project
 * folder and the options are checked again before spawning, whatever the log says.
 */
export type JobSpec = {
  readonly sessionId: string;
  readonly jobId: string;
  readonly promptId: string;
  readonly prompt: string;
  readonly projectPath: string;
  readonly claudeSessionId: string | null;
  /** Option defaults from the session's metadata, and the prompt's own; validated before spawning. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly promptOptions: Readonly<Record<string, unknown>> | undefined;
  /** The session's "always allow" rules when the job started. */
  readonly permissionRules: readonly string[];
};

export type JobContext = {
  readonly commands: SessionCommandHandler;
  /** True once the runner is shutting down: a dead store must not hold the process open. */
  readonly shuttingDown: () => boolean;
  readonly launcher: Launcher | null;
  readonly env: Readonly<Record<string, string>>;
  readonly limits: { readonly maxLineBytes: number; readonly maxToolResultBytes: number; readonly killGraceMs: number };
  /** How long a permission request waits for the phone before it expires as a "no" (0: for ever). */
  readonly permissionTimeoutMs: number;
  /** GITHUB_REPOS_DIRECTORY: a job only ever runs in a folder inside it. */
  readonly reposDirectory: string;
  /** RUNNER_ALLOW_BYPASS_PERMISSIONS: whether a session may ask for `bypassPermissions`. */
  readonly allowBypassPermissions: boolean;
  readonly meta: EventMeta;
  readonly publishDelta: (sessionId: string, payload: Record<string, unknown>) => void;
  /** Where the job's working state (activity, the answer so far) is kept for phones. */
  readonly working: WorkingStates;
  readonly logger: Logger;
};

/**
 * `abandoned`: the job is over elsewhere (the log says so). `unrecorded`: its end is not in the
 * log (lease lost, or the store was down at shutdown), so its lease must lapse and a sweep fail it.
 */
export type JobEnd = "completed" | "failed" | "cancelled" | "abandoned" | "unrecorded";

/**
 * Where a job is in its life: one value, so no two stop reasons can hold at once.
 * `cancelling`: the phone asked; the group is killed and JobCancelled recorded.
 * `aborting`: the runner stops; the group is killed and JobFailed(reason) recorded.
 * `lost`: this runner no longer holds the lease; killed at once, nothing more recorded.
 * `abandoned`: the log says the job is over elsewhere; killed, nothing more recorded.
 */
export type JobPhase =
  | { readonly kind: "running" }
  | { readonly kind: "cancelling" }
  | { readonly kind: "aborting"; readonly reason: string }
  | { readonly kind: "lost" }
  | { readonly kind: "abandoned"; readonly code: string };

export type JobHandle = {
  readonly spec: JobSpec;
  readonly pid: () => number | undefined;
  readonly phase: () => JobPhase;
  /** The phone asked to cancel: interrupt the turn (kill the group if it does not end in time), record JobCancelled. */
  readonly cancel: () => void;
  /** A steering prompt: written into the running CLI's stdin now and recorded; false when it can take no more input (it stays queued). */
  readonly steer: (promptId: string, text: string) => boolean;
  /** The runner is shutting down: kill the group and record JobFailed with `reason`. */
  readonly abort: (reason: string) => void;
  /** This runner no longer holds the job's lease: kill the group at once and record nothing more. */
  readonly lose: () => void;
  /** Writes the phone's answer to a `can_use_tool` request to the CLI's stdin. */
  readonly answerPermission: (requestId: string, decision: RecordedDecision) => boolean;
  /** Acts on what the session records and a lost signal may have kept from this process: answers, steering prompts. */
  readonly catchUp: (state: SessionState) => void;
  readonly done: Promise<JobEnd>;
};

const STDERR_TAIL_BYTES = 4096;
const CONVERSATION_GONE = /No conversation found with session ID/;

const createTail = (limit: number) => {
  let kept = Buffer.alloc(0);
  return {
    push: (chunk: Buffer) => {
      kept = Buffer.concat([kept, chunk]);
      if (kept.length > limit) kept = kept.subarray(kept.length - limit);
    },
    text: () => kept.toString("utf8"),
  };
};

export const startJobProcess = (spec: JobSpec, ctx: JobContext): JobHandle => {
  const { sessionId, jobId } = spec;
  const log = ctx.logger.child({ sessionId, jobId });
  const stderr = createTail(STDERR_TAIL_BYTES);
  const counters = createDecodeCounters();
  let child: ChildHandle | null = null;
  let phase: JobPhase = { kind: "running" };
  let seq = 0;
  let linked = spec.claudeSessionId;
  let lastResult: ResultLine | null = null;
  /** What the job's turns cost: each 2.1 result says what its turn cost; a 2.0 result counts the whole process. */
  let jobCostUsd: number | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  /**
   * Prompts written to stdin and taken by the CLI (echoed back, `--replay-user-messages`): stdin
   * closes at a `result` once every prompt written was taken. A steering prompt folded into the
   * turn was taken before its result; one that starts a turn of its own is taken after it, and
   * that turn ends with a result of its own. A CLI that echoes nothing closes at the first result.
   */
  const turns = { written: 0, taken: 0 };
  /** Steering prompts written in (a signal and a catch-up may both deliver one). */
  const steered = new Set<string>();
  /** Nothing more may be recorded: the job ended elsewhere or its lease is lost. */
  const silenced = () => phase.kind === "lost" || phase.kind === "abandoned";

  const recorder = createJobRecorder({
    commands: ctx.commands,
    sessionId,
    meta: ctx.meta,
    logger: log,
    stopped: silenced,
    hurried: ctx.shuttingDown,
    onGone: (code) => abandon(code),
  });
  const submit = recorder.submit;

  const reporter = createWorkingReporter({ states: ctx.working, sessionId, jobId, logger: log });

  const approvals = createApprovals({
    jobId,
    submit: (command) => submit(command),
    expire: async (requestId, message) =>
      (await ctx.commands.execute(sessionId, { type: "ExpirePermission", data: { requestId, message } }, { meta: ctx.meta })).events.length > 0,
    write: ({ requestId, answer }) => {
      reporter.answered(requestId, answer.behavior === "allow");
      return child !== null && writeLine(child.stdin, permissionResponseLine(requestId, answer));
    },
    timeoutMs: ctx.permissionTimeoutMs,
    logger: log,
  });

  const terminate = () => {
    if (child === null || killTimer !== undefined) return;
    const target = child;
    target.kill("SIGTERM");
    killTimer = setTimeout(() => target.groupAlive() && target.kill("SIGKILL"), ctx.limits.killGraceMs);
    killTimer.unref();
  };

  const abandon = (code: string) => {
    if (silenced()) return;
    phase = { kind: "abandoned", code };
    log.debug({ code }, "job ended elsewhere; stopping its process");
    terminate();
  };

  const onLine = (item: SplitLine) => {
    const line = decodeSplitLine(item);
    counters.record(line);
    reporter.line(line);
    if (line.kind === "control_request" && line.request.subtype === "can_use_tool") return approvals.request(line.requestId, line.request);
    if (line.kind === "control_cancel_request") return approvals.withdrawn(line.requestId);
    if (line.kind === "assistant") for (const block of line.content) if (block.type === "tool_use") approvals.toolUse(block.id, block.input);
    if (line.kind === "user" && line.isReplay === true) turns.taken += 1;
    if (isLiveOnly(line)) return ctx.publishDelta(sessionId, { jobId, line: line.raw });
    record(line);
  };

  // RecordRunnerEvent needs no idempotency key: the session drops a seq it has already recorded.
  const record = (line: DecodedLine) => {
    const current = seq++;
    void submit({ type: "RecordRunnerEvent", data: { jobId, seq: current, kind: storedKind(line), message: storedMessage(line, ctx.limits.maxToolResultBytes) } });
    const claudeSessionId = persistedSessionIdOf(line);
    if (claudeSessionId !== undefined && claudeSessionId !== linked) {
      linked = claudeSessionId;
      void submit({ type: "LinkClaudeSession", data: { claudeSessionId, jobId } });
    }
    if (line.kind === "result") {
      lastResult = line;
      jobCostUsd = line.turnCostUsd === undefined ? line.costUsd : (jobCostUsd ?? 0) + line.turnCostUsd;
      // Every prompt written has had its turn: closing stdin lets the CLI exit (it waits for more input otherwise).
      if (child !== null && (turns.taken === 0 || turns.taken >= turns.written)) closeInput(child.stdin);
    }
  };

  const failed = (reason: string, message: string, exit?: ExitInfo): SessionCommand => {
    const tail = exit ? stderr.text() : "";
    const process = exit ? { exitCode: exit.exitCode, signal: exit.signal } : {};
    return { type: "FailJob", data: { jobId, reason, message, ...process, ...(tail ? { stderrTail: tail } : {}) } };
  };

  const endCommand = (exit: ExitInfo): SessionCommand => {
    const { exitCode, signal } = exit;
    if (phase.kind === "cancelling") return { type: "CancelJob", data: { jobId, exitCode, signal, ...(jobCostUsd !== undefined ? { jobCostUsd } : {}) } };
    if (phase.kind === "aborting") return failed(phase.reason, `the runner stopped the job (${phase.reason})`, exit);
    // The CLI says so on stderr (2.0 then exits, 2.1 adds an error result): the session must be reset.
    if (spec.claudeSessionId !== null && CONVERSATION_GONE.test(stderr.text())) {
      return failed("conversation_not_found", `Claude Code has no conversation ${spec.claudeSessionId} any more (its transcript is gone): reset the session to start a new one`, exit);
    }
    if (lastResult !== null) return { type: "CompleteJob", data: { ...completion(jobId, lastResult, exitCode), ...(jobCostUsd !== undefined ? { jobCostUsd } : {}) } };
    if (signal !== null) return failed("killed", `the CLI was killed by ${signal}`, exit);
    return failed(exitCode === 0 ? "no_result" : "cli_exited", `the CLI exited with code ${exitCode} without a result`, exit);
  };

  const resolveOptions = (): CliOptions | string => {
    try {
      return resolveCliOptions(spec.metadata, spec.promptOptions, { allowBypassPermissions: ctx.allowBypassPermissions }, spec.permissionRules);
    } catch (error) {
      if (error instanceof InvalidOptionsError) return error.message;
      throw error;
    }
  };

  /** The opened project folder to start in, or the FailJob that refuses the job. */
  const preflight = async (options: CliOptions | string): Promise<{ folder: OpenFolder } | { refused: SessionCommand }> => {
    if (typeof options === "string") return { refused: failed("invalid_options", options) };
    if (ctx.launcher === null) return { refused: failed("cli_not_found", "Claude Code CLI not found: set CLAUDE_CODE_PATH or put `claude` on PATH (or CLAUDE_CODE_SIMULATE=1)") };
    const opened = await openProjectFolder(spec.projectPath, ctx.reposDirectory);
    return "folder" in opened ? opened : { refused: failed(opened.reason, opened.message) };
  };

  /** Spawns in the held folder, then lets it go: spawn() returns after the child's chdir and exec (libuv waits for it). */
  const launchIn = (folder: OpenFolder, options: CliOptions): ChildHandle | null => {
    try {
      if (ctx.launcher === null || phase.kind === "lost") return null;
      const args = buildClaudeArgs({ resumeSessionId: spec.claudeSessionId, options });
      return ctx.launcher.launch({ folder, args, env: ctx.env });
    } finally {
      folder.close();
    }
  };

  const run = async (): Promise<JobEnd> => {
    const options = resolveOptions();
    const checked = await preflight(options);
    if ("refused" in checked) return finish(checked.refused);
    const launched = typeof options === "string" ? null : launchIn(checked.folder, options);
    if (launched === null) return finish(null);
    child = launched;
    reporter.start();
    log.info({ pid: launched.pid, mode: ctx.launcher?.mode, resume: spec.claudeSessionId }, "job process started");
    const splitter = createLineSplitter({ maxLineBytes: ctx.limits.maxLineBytes });
    launched.stdout.on("data", (chunk: Buffer) => splitter.push(chunk).forEach(onLine));
    launched.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    turns.written += 1;
    writeLine(launched.stdin, userMessageLine(spec.prompt));
    if (phase.kind !== "running") terminate();
    const exit = await launched.exited;
    splitter.end().forEach(onLine);
    clearTimeout(killTimer);
    clearTimeout(graceTimer);
    approvals.stop();
    await reporter.stop();
    // Tools the CLI started may outlive it; a stopped job leaves nothing behind.
    if (phase.kind !== "running") launched.kill("SIGKILL");
    if (exit.error !== undefined) {
      const notFound = (exit.error as NodeJS.ErrnoException).code === "ENOENT";
      await recorder.idle();
      return finish(failed(notFound ? "cli_not_found" : "spawn_failed", exit.error.message));
    }
    const decoded = counters.summary();
    // Unknown or invalid lines are kept as events, but an operator should know the CLI changed.
    log[decoded.unknown + decoded.invalid > 0 ? "warn" : "info"]({ exitCode: exit.exitCode, signal: exit.signal, decoded }, "job process exited");
    await recorder.idle();
    return finish(endCommand(exit));
  };

  const finish = async (command: SessionCommand | null): Promise<JobEnd> => {
    if (phase.kind === "lost") return "unrecorded";
    if (command === null || phase.kind === "abandoned") return "abandoned";
    const outcome = await submit(command, `${jobId}:end`);
    // The phase may have moved while the end was being recorded.
    const now = phase as JobPhase;
    if (now.kind === "lost") return "unrecorded";
    if (now.kind === "abandoned" || outcome === "refused") return "abandoned";
    if (outcome === "dropped") return "unrecorded";
    return command.type === "CompleteJob" ? "completed" : command.type === "CancelJob" ? "cancelled" : "failed";
  };

  // A bug here must not leave a CLI running, nor a session "running" with its lease released.
  const done = run().catch(async (error: unknown): Promise<JobEnd> => {
    const message = toError(error).message;
    log.error({ err: message }, "job crashed");
    child?.kill("SIGKILL");
    return finish(failed("runner_error", `the runner failed running the job: ${message}`)).catch(() => "unrecorded" as const);
  });

  const handle: JobHandle = {
    spec,
    pid: () => child?.pid,
    phase: () => phase,
    cancel: () => {
      if (phase.kind !== "running") return;
      phase = { kind: "cancelling" };
      // Interrupt first, as Esc does: the turn ends with its output kept and the CLI exits by
      // itself. Only a turn that has not ended within the grace gets its process group killed.
      if (child === null || !writeLine(child.stdin, interruptLine())) return terminate();
      graceTimer = setTimeout(terminate, ctx.limits.killGraceMs);
      graceTimer.unref();
    },
    steer: (promptId, text) => {
      if (steered.has(promptId)) return true;
      if (child === null || phase.kind !== "running" || !writeLine(child.stdin, userMessageLine(text))) return false;
      steered.add(promptId);
      turns.written += 1;
      void submit({ type: "SteerPrompt", data: { promptId, jobId } });
      return true;
    },
    abort: (reason) => {
      if (phase.kind === "running") phase = { kind: "aborting", reason };
      terminate();
    },
    lose: () => {
      if (phase.kind === "lost") return;
      phase = { kind: "lost" };
      log.debug("lease lost: another runner may already have failed this job; killing its process");
      child?.kill("SIGKILL");
    },
    answerPermission: (requestId, decision) => approvals.answer(requestId, decision),
    catchUp: (state) => {
      if (state.status !== "open" || state.running?.jobId !== jobId) return;
      for (const [requestId, decision] of Object.entries(state.running.answers)) approvals.answer(requestId, decision);
      for (const queued of state.queue) if (queued.steerInto === jobId) handle.steer(queued.promptId, queued.prompt);
    },
    done,
  };
  return handle;
};
