import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { RedisClient } from "../infra/redis.ts";
import type { Logger } from "pino";
import type { EventMeta } from "../../events/envelope.ts";
import { decodeEvent, type DecodedEvent } from "../../events/registry.ts";
import { isDomainError } from "../../commands/errors.ts";
import type { OpenSession } from "../../commands/session/index.ts";
import type { Config } from "../config.ts";
import type { MachineRegistry } from "../machines/machineRegistry.ts";
import { toError } from "../errors.ts";
import type { EventStore, StoredEvent } from "../eventStore/eventStore.ts";
import type { SessionCommandHandler } from "../eventStore/sessionCommandHandler.ts";
import { startJobProcess, type JobContext, type JobEnd, type JobHandle } from "./jobProcess.ts";
import { createLeases, type RunningRef } from "./leases.ts";
import { pinsFolders } from "./projectFolder.ts";
import { createSignals, type RunnerSignal } from "./signals.ts";
import { startMachineBeat } from "./machineBeat.ts";
import { createSimulator } from "./simulator.ts";
import { childEnvironment, createCliLauncher, resolveClaudeCommand, type Launcher } from "./spawnClaude.ts";
import { createWorkingStates } from "../live/workingState.ts";

/**
 * The runner role: a member of the `runner` consumer group. It turns PromptEnqueued and job
 * ends into "this session may have a prompt to start" (the ready set), starts the head of a
 * session's queue through the decider (StartJob: two runners can never run the same prompt,
 * nor two prompts of one session), runs the CLI, holds a lease per job, fails jobs whose
 * runner died (`runner_lost`) and acts on cancel requests for the jobs it holds.
 */
export type RunnerConfig = Pick<
  Config,
  | "REDIS_KEY_PREFIX" | "CLAUDE_CODE_PATH" | "CLAUDE_CODE_SIMULATE" | "RUNNER_CONCURRENCY" | "RUNNER_LEASE_MS"
  | "RUNNER_KILL_GRACE_MS" | "RUNNER_SHUTDOWN_GRACE_MS" | "RUNNER_MAX_LINE_BYTES" | "RUNNER_MAX_TOOL_RESULT_BYTES"
  | "PERMISSION_TIMEOUT_MS" | "RUNNER_ALLOW_BYPASS_PERMISSIONS" | "GITHUB_REPOS_DIRECTORY"
  | "MACHINE_ID" | "MACHINE_NAME" | "MACHINE_HEARTBEAT_MS"
>;

export type RunnerDeps = {
  readonly store: EventStore;
  /** The process's one command path, shared with the api and the live stream. */
  readonly commands: SessionCommandHandler;
  /** For the runner's own bookkeeping (leases, ready set, signals): never the event store's keys. */
  readonly redis: RedisClient;
  /** Where the runner says its machine is alive, with what it offers. */
  readonly machines: MachineRegistry;
  readonly config: Readonly<RunnerConfig>;
  readonly logger: Logger;
  /** The environment the CLI's allow-listed environment is taken from (the CLI passes process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Overrides the CLI / simulator choice (tests, bench). */
  readonly launcher?: Launcher | null;
  readonly runnerId?: string;
  /** How often the ready set is polled when nothing nudges (a safety net). */
  readonly pollMs?: number;
  /** Told each job's end and how long it ran (metrics). */
  readonly onJobEnd?: (end: JobEnd, seconds: number) => void;
};

const chooseLauncher = (deps: RunnerDeps): Launcher | null => {
  if (deps.launcher !== undefined) return deps.launcher;
  if (deps.config.CLAUDE_CODE_SIMULATE) return createSimulator();
  const command = resolveClaudeCommand(deps.config.CLAUDE_CODE_PATH, deps.env.PATH);
  return command === null ? null : createCliLauncher(command, childEnvironment(deps.env));
};

export const createRunner = (deps: RunnerDeps) => {
  const { store, redis, config, commands } = deps;
  const runnerId = deps.runnerId ?? `runner-${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  const log = deps.logger.child({ role: "runner", runnerId, machineId: deps.config.MACHINE_ID });
  const leaseMs = config.RUNNER_LEASE_MS;
  const machineId = config.MACHINE_ID;
  const leases = createLeases(redis, config.REDIS_KEY_PREFIX, runnerId, leaseMs, machineId);
  const launcher = chooseLauncher(deps);
  const jobs = new Map<string, JobHandle>();
  const meta = (jobId: string): EventMeta => ({ actor: `runner:${runnerId}`, correlationId: jobId, causationId: null, requestId: null });
  const timers: NodeJS.Timeout[] = [];
  const endings = new Set<Promise<void>>();
  let accepting = false;
  let shuttingDown = false;
  /** Since when this runner's Redis connection has been up (reset on every reconnect). */
  let connectedSince = Date.now();
  const onReady = () => {
    connectedSince = Date.now();
  };
  let pumping = false;
  let pumpAgain = false;
  let hurry = () => {};
  const hurried = new Promise<void>((resolve) => (hurry = resolve));
  let heartbeat: Awaited<ReturnType<typeof startMachineBeat>> | null = null;

  const publishDelta = (sessionId: string, payload: Record<string, unknown>) => {
    store.liveDeltas.publish(sessionId, payload).catch((error: unknown) => log.warn({ err: toError(error).message }, "live delta publish failed"));
  };

  const working = createWorkingStates(redis, config.REDIS_KEY_PREFIX);

  const context = (jobId: string): JobContext => ({
    commands,
    shuttingDown: () => shuttingDown,
    launcher,
    env: childEnvironment(deps.env),
    limits: { maxLineBytes: config.RUNNER_MAX_LINE_BYTES, maxToolResultBytes: config.RUNNER_MAX_TOOL_RESULT_BYTES, killGraceMs: config.RUNNER_KILL_GRACE_MS },
    permissionTimeoutMs: config.PERMISSION_TIMEOUT_MS,
    reposDirectory: config.GITHUB_REPOS_DIRECTORY,
    allowBypassPermissions: config.RUNNER_ALLOW_BYPASS_PERMISSIONS,
    meta: meta(jobId),
    publishDelta,
    working,
    logger: log,
  });

  const onSignal = (signal: RunnerSignal) => {
    const job = jobs.get(signal.jobId);
    if (job === undefined) return;
    if (signal.type === "cancel") job.cancel();
    else if (signal.type === "steer") job.steer(signal.promptId, signal.prompt);
    else job.answerPermission(signal.requestId, signal.decision);
  };
  const signals = createSignals(redis, leases.keys.signals, onSignal, log);

  /** The job's end in the log nudges its session (the reactor): here the slot is only freed. */
  const afterJob = async (ref: RunningRef, job: JobHandle) => {
    const started = performance.now();
    const end = await job.done;
    deps.onJobEnd?.(end, (performance.now() - started) / 1000);
    jobs.delete(ref.jobId);
    // One line per job outcome. An unrecorded end leaves the log saying "running": the lease,
    // no longer renewed, lapses and a sweep fails the job as runner_lost.
    if (end !== "unrecorded") await leases.release(ref).catch(() => {});
    log[end === "unrecorded" || end === "abandoned" ? "warn" : "info"]({ sessionId: ref.sessionId, jobId: ref.jobId, end, phase: job.phase().kind }, "job ended");
    void heartbeat?.beat();
    void pump();
  };

  const track = (ref: RunningRef, job: JobHandle) => {
    jobs.set(ref.jobId, job);
    const ending = afterJob(ref, job).catch((error: unknown) => log.error({ err: toError(error).message }, "job cleanup failed"));
    endings.add(ending);
    void ending.finally(() => endings.delete(ending));
  };

  /** StartJob for the head of the queue; false when someone else got there first. */
  const claim = async (ref: RunningRef, promptId: string): Promise<boolean> => {
    await leases.acquire(ref);
    try {
      // A repeated StartJob of the same job is a no-op: a retry after a lost reply is safe.
      const command = { type: "StartJob", data: { jobId: ref.jobId, promptId, runnerId, leaseMs, machineId } } as const;
      await commands.execute(ref.sessionId, command, { meta: meta(ref.jobId) });
      return true;
    } catch (error) {
      await leases.release(ref);
      if (isDomainError(error)) return false;
      throw error;
    }
  };

  const launch = (session: OpenSession, ref: RunningRef) => {
    const head = session.queue[0];
    if (head === undefined) return;
    const spec = {
      ...ref,
      promptId: head.promptId,
      prompt: head.prompt,
      projectPath: head.projectPath,
      claudeSessionId: session.claudeSessionId,
      metadata: session.metadata,
      promptOptions: head.options,
      permissionRules: session.permissionRules,
    };
    track(ref, startJobProcess(spec, context(ref.jobId)));
  };

  /** The machine a session runs on (null: any), or undefined when it has nothing to run any more. */
  const machineOfSession = async (sessionId: string): Promise<string | null | undefined> => {
    const { state } = await commands.read(sessionId);
    return state.status === "open" ? state.machineId : undefined;
  };

  const tryStart = async (sessionId: string, score: number, set: string | null) => {
    const { state } = await commands.read(sessionId);
    // Nothing to start, or a job runs (its end nudges again): settle unless nudged meanwhile.
    if (state.status !== "open" || state.queue.length === 0 || state.running !== null) {
      await leases.settle(sessionId, score, set);
      return;
    }
    // Only ever in another machine's set by mistake: moved there, never started here.
    if (state.machineId !== null && state.machineId !== machineId) {
      await leases.nudge(sessionId, state.machineId);
      await leases.settle(sessionId, score, set);
      return;
    }
    const head = state.queue[0];
    if (head === undefined) return;
    const ref = { sessionId, jobId: randomUUID() };
    if (!(await claim(ref, head.promptId))) return;
    await leases.settle(sessionId, score, set);
    launch(state, ref);
    void heartbeat?.beat();
  };

  const fillSlots = async () => {
    if (!accepting || jobs.size >= config.RUNNER_CONCURRENCY) return;
    for (const [sessionId, score, set] of await leases.ready(50)) {
      if (!accepting || jobs.size >= config.RUNNER_CONCURRENCY) return;
      try {
        await tryStart(sessionId, score, set);
      } catch (error) {
        log.error({ sessionId, err: toError(error).message }, "could not start a job");
      }
    }
  };

  const pump = async (): Promise<void> => {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        await fillSlots();
      } while (pumpAgain && accepting);
    } catch (error) {
      log.error({ err: toError(error).message }, "pump failed");
    } finally {
      pumping = false;
    }
  };

  /**
   * What the log means to the runner: a prompt to start (a queued prompt, or a job's end frees
   * the session: the only source of nudges), a cancel or an answer for the runner holding a job.
   */
  const react = async (event: DecodedEvent, nudges: Set<string>): Promise<void> => {
    if (!event.known) return;
    switch (event.type) {
      case "PromptEnqueued":
        nudges.add(event.sessionId);
        if (event.data.steerInto !== undefined) await signals.steer(event.data.steerInto, event.data.promptId, event.data.prompt);
        return;
      case "PromptCancelled":
      case "JobCompleted":
      case "JobFailed":
      case "JobCancelled":
      case "SessionUpdated":
        nudges.add(event.sessionId);
        return;
      case "PromptCancelRequested":
        return signals.cancel(leases, event.data.jobId);
      case "PermissionDecided":
        return signals.permission(event.data);
      case "SessionCreated":
      case "SessionDeleted":
      case "ClaudeSessionLinked":
      case "JobStarted":
      case "RunnerEventEmitted":
      case "PromptSteered":
      case "TurnsImported":
      case "ConversationReset":
      case "PermissionRequested":
      case "PermissionExpired":
      case "PermissionCancelled":
      case "PermissionRulesSet":
        return;
      default: {
        const unhandled: never = event;
        throw new Error(`the runner has no reaction to ${(unhandled as { type: string }).type}`);
      }
    }
  };

  const handle = async (batch: readonly StoredEvent[]) => {
    const nudges = new Set<string>();
    for (const { envelope } of batch) await react(decodeEvent(envelope), nudges);
    // Each session into its machine's ready set: only that machine's runners start it.
    for (const sessionId of nudges) {
      const sessionMachine = await machineOfSession(sessionId);
      if (sessionMachine !== undefined) await leases.nudge(sessionId, sessionMachine);
    }
    if (nudges.size > 0) void pump();
  };

  const subscription = store.subscribe({ group: "runner", logger: log, handle, consumer: runnerId, blockMs: 1000 });

  /**
   * Renews leases of this runner's jobs and picks up cancels, answers and steering prompts it
   * missed on pub/sub. A lease it no longer holds (it stalled past it and a sweep failed the
   * job) means another CLI may already run on the session: its own is killed at once.
   */
  const renew = async () => {
    const refs = [...jobs.values()].map((job) => ({ sessionId: job.spec.sessionId, jobId: job.spec.jobId }));
    const { cancelled, lost, retaken } = await leases.renew(refs);
    for (const ref of retaken) log.warn({ sessionId: ref.sessionId, jobId: ref.jobId }, "lease had lapsed (RedisClient unreachable?) and nobody took the job: taken back, the job goes on");
    for (const ref of lost) jobs.get(ref.jobId)?.lose();
    for (const ref of cancelled) jobs.get(ref.jobId)?.cancel();
    for (const job of jobs.values()) {
      if (job.phase().kind === "running") job.catchUp((await commands.read(job.spec.sessionId)).state);
    }
  };

  /**
   * Fails running jobs whose lease lapsed (their runner died); the queue then moves on. Only a
   * runner that has itself been connected for a whole lease sweeps: after a Redis outage every
   * lease looks lapsed, and the runners that hold them get that long to take them back.
   */
  const sweep = async () => {
    if (Date.now() - connectedSince < leaseMs) return;
    for (const ref of await leases.lapsed()) {
      if (jobs.has(ref.jobId) || !(await leases.sweep(ref))) continue;
      const fail = { type: "FailJob", data: { jobId: ref.jobId, reason: "runner_lost", message: "the runner holding this job stopped renewing its lease" } } as const;
      try {
        await commands.execute(ref.sessionId, fail, { meta: meta(ref.jobId) });
        log.warn({ sessionId: ref.sessionId, jobId: ref.jobId, end: "runner_lost" }, "job ended");
      } catch (error) {
        if (!isDomainError(error)) throw error;
      }
      // The JobFailed in the log nudges the session.
      await leases.forgetRunning(ref);
    }
  };

  /** A periodic task whose failure is logged when it starts or changes, not on every tick (an outage lasts). */
  const every = (ms: number, task: () => Promise<void>, name: string) => {
    let failing = "";
    const tick = () =>
      task().then(
        () => {
          if (failing !== "") log.info(`${name} works again`);
          failing = "";
        },
        (error: unknown) => {
          const message = toError(error).message;
          if (message !== failing) log.warn({ err: message }, `${name} failed`);
          failing = message;
        },
      );
    timers.push(setInterval(tick, ms));
  };

  const waitForJobs = async (ms: number) => {
    const all = Promise.all([...jobs.values()].map((job) => job.done));
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  };

  return {
    runnerId,
    /** Jobs this process runs now (for diagnostics and tests). */
    jobs: () => [...jobs.values()].map((job) => ({ sessionId: job.spec.sessionId, jobId: job.spec.jobId, promptId: job.spec.promptId, pid: job.pid() })),
    async start() {
      const mode = launcher === null ? "none" : launcher.mode;
      const message =
        mode === "simulator" ? "runner: SIMULATION mode (CLAUDE_CODE_SIMULATE=1): jobs replay a simulated stream, no CLI runs"
        : mode === "cli" ? `runner: running the Claude Code CLI ${launcher?.path ?? ""}`
        : "runner: Claude Code CLI not found (CLAUDE_CODE_PATH, or `claude` on PATH outside node_modules/.bin): jobs will fail with cli_not_found";
      log[mode === "none" ? "warn" : "info"]({ mode, cli: launcher?.path, concurrency: config.RUNNER_CONCURRENCY, leaseMs }, message);
      void launcher?.version().then((version) => log[version ? "info" : "warn"]({ cli: launcher.path, version }, version ? `runner: Claude Code CLI version ${version}` : "runner: the Claude Code CLI did not tell its version (claude --version)"));
      if (!pinsFolders) log.warn("runner: project folders are checked by path on this platform (pinning them needs Linux /proc): a folder swapped for a symlink while a job starts could send the CLI outside GITHUB_REPOS_DIRECTORY");
      redis.on("ready", onReady);
      heartbeat = await startMachineBeat({
        machines: deps.machines, machineId, name: config.MACHINE_NAME, runnerId, reposDirectory: config.GITHUB_REPOS_DIRECTORY,
        capacity: config.RUNNER_CONCURRENCY, heartbeatMs: config.MACHINE_HEARTBEAT_MS, launcher, runningJobs: () => jobs.size, logger: log,
      });
      await signals.start();
      accepting = true;
      await subscription.start();
      every(Math.max(100, Math.floor(leaseMs / 3)), renew, "lease renewal");
      every(Math.max(100, Math.floor(leaseMs / 3)), sweep, "sweep");
      every(deps.pollMs ?? 1000, pump, "poll");
      void sweep().then(pump);
    },
    /** Cuts the shutdown grace short: running jobs are stopped (and failed) now. */
    hurry: () => hurry(),
    /** Stops taking jobs; running ones get the shutdown grace, then are killed and failed. */
    async stop() {
      accepting = false;
      await subscription.stop();
      // A pump in flight may still launch the job it has just claimed; it gets the same treatment.
      while (pumping) await new Promise((resolve) => setTimeout(resolve, 10));
      await Promise.race([waitForJobs(config.RUNNER_SHUTDOWN_GRACE_MS), hurried]);
      shuttingDown = true;
      while (jobs.size > 0) {
        for (const job of jobs.values()) job.abort("runner_shutdown");
        await Promise.all([...endings]);
      }
      for (const timer of timers) clearInterval(timer);
      redis.off("ready", onReady);
      await heartbeat?.stop();
      heartbeat = null;
      await signals.stop();
    },
  };
};

export type Runner = ReturnType<typeof createRunner>;
