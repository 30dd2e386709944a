import { GENESIS_HASH, type Envelope, type EventMeta } from "../../events/envelope.ts";
import { decodeEvent, type DomainEvent } from "../../events/registry.ts";
import { isDomainError } from "../../commands/errors.ts";
import { ContentionTimeoutError, VersionConflictError } from "./errors.ts";
import type { AppendResult, EventStore } from "./eventStore.ts";

export interface Decider<Command, State> {
  readonly decide: (command: Command, state: State) => readonly DomainEvent[];
  readonly evolve: (state: State, event: DomainEvent) => State;
  readonly initialState: () => State;
}

/** A session folded up to a version: the version and its hash live here, not in the state. */
export interface Folded<State> {
  readonly state: State;
  readonly version: number;
  readonly hash: string;
}

export interface ExecuteOptions {
  readonly meta: EventMeta;
  readonly idempotencyKey?: string;
  readonly now?: Date;
}

export interface Executed<State> {
  /** The session after the command (for a duplicate: as it is now). */
  readonly state: State;
  /** What this call appended: empty when the command changed nothing or was a duplicate. */
  readonly events: readonly DomainEvent[];
  /** The version the command's events end at (for a duplicate: where the first call's ended). */
  readonly version: number;
  /** The partition-log position of the last event appended (for a duplicate: the first call's). */
  readonly position: string | null;
  /** The idempotency key had been used: nothing was appended this time. */
  readonly duplicate: boolean;
}

export interface CommandHandlerOptions<Command, State> {
  readonly store: EventStore;
  readonly decider: Decider<Command, State>;
  /** Sessions whose fold is kept in memory (least recently used go first). */
  readonly cacheSize?: number;
  /** How long a command keeps retrying while other processes move its session. */
  readonly deadlineMs?: number;
  readonly random?: () => number;
}

/** Folds stored envelopes; events this build cannot decode are skipped (they still count as versions). */
export const foldEnvelopes = <State>(decider: Pick<Decider<unknown, State>, "evolve">, envelopes: Iterable<Envelope>, from: State): State => {
  let state = from;
  for (const envelope of envelopes) {
    const decoded = decodeEvent(envelope);
    if (decoded.known) state = decider.evolve(state, decoded as unknown as DomainEvent);
  }
  return state;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one command path (Emmett's CommandHandler is the model): cached fold → decide (one or
 * several commands, evolving between them) → append with the folded version and hash.
 *
 * - Commands on one session run one at a time in this process, in arrival order; different
 *   sessions run in parallel. So contention only ever comes from other processes.
 * - The fold of recently used sessions is kept (LRU). A decision on a cached fold is appended
 *   at once; the append checks version and hash, so a stale fold is never written. A conflict
 *   reads only the new events, decides again and appends again, with jittered backoff, until
 *   the deadline. A refusal or an empty decision on a fold that might be stale is re-checked
 *   on a fresh one first.
 * - The idempotency record is read only where it can matter: when the decision is a refusal or
 *   nothing; otherwise the append script answers a repeated key itself, atomically.
 */
export const createCommandHandler = <Command, State>(options: CommandHandlerOptions<Command, State>) => {
  const { store, decider } = options;
  const cacheSize = options.cacheSize ?? 10_000;
  const deadlineMs = options.deadlineMs ?? 2000;
  const random = options.random ?? Math.random;
  const cache = new Map<string, Folded<State>>();
  const lanes = new Map<string, Promise<unknown>>();
  const empty = (): Folded<State> => ({ state: decider.initialState(), version: 0, hash: GENESIS_HASH });

  /** Keeps the newest fold of a session; an older one (a slower concurrent read) never replaces it. */
  const remember = (sessionId: string, folded: Folded<State>) => {
    const known = cache.get(sessionId);
    if (known !== undefined && known.version > folded.version) return known;
    cache.delete(sessionId);
    cache.set(sessionId, folded);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    return folded;
  };

  /** `from` plus whatever was appended after it. */
  const catchUp = async (sessionId: string, from: Folded<State>): Promise<Folded<State>> => {
    const events = await store.readEvents(sessionId, from.version + 1);
    const last = events.at(-1);
    if (last === undefined) return from;
    return { state: foldEnvelopes(decider, events, from.state), version: last.version, hash: last.hash };
  };

  /** The commands decided in order, each on the state the previous ones left, and the state they leave (folded once). */
  const decideAll = (commands: readonly Command[], state: State): { events: DomainEvent[]; after: State } => {
    const events: DomainEvent[] = [];
    let after = state;
    for (const command of commands) {
      const decided = decider.decide(command, after);
      events.push(...decided);
      after = decided.reduce(decider.evolve, after);
    }
    return { events, after };
  };

  const inLane = <T>(sessionId: string, task: () => Promise<T>): Promise<T> => {
    const run = (lanes.get(sessionId) ?? Promise.resolve()).then(task, task);
    const tail = run.then(() => undefined, () => undefined);
    lanes.set(sessionId, tail);
    void tail.then(() => lanes.get(sessionId) === tail && lanes.delete(sessionId));
    return run;
  };

  const duplicateOf = async (sessionId: string, result: AppendResult, folded: Folded<State>): Promise<Executed<State>> => {
    const now = remember(sessionId, await catchUp(sessionId, folded));
    return { state: now.state, events: [], version: result.version, position: result.position, duplicate: true };
  };

  const run = async (sessionId: string, commands: readonly Command[], context: ExecuteOptions): Promise<Executed<State>> => {
    const deadline = Date.now() + deadlineMs;
    const cached = cache.get(sessionId);
    let folded = cached ?? remember(sessionId, await catchUp(sessionId, empty()));
    let fresh = cached === undefined;
    for (let conflicts = 0; ; ) {
      let decision: { events: DomainEvent[]; after: State };
      try {
        decision = decideAll(commands, folded.state);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        if (!fresh) {
          folded = remember(sessionId, await catchUp(sessionId, folded));
          fresh = true;
          continue;
        }
        const prior = context.idempotencyKey ? await store.idempotentResult(sessionId, context.idempotencyKey) : null;
        if (prior) return duplicateOf(sessionId, prior, folded);
        error.version = folded.version;
        throw error;
      }
      const { events, after } = decision;
      if (events.length === 0) {
        if (!fresh) {
          folded = remember(sessionId, await catchUp(sessionId, folded));
          fresh = true;
          continue;
        }
        const prior = context.idempotencyKey ? await store.idempotentResult(sessionId, context.idempotencyKey) : null;
        if (prior) return duplicateOf(sessionId, prior, folded);
        return { state: folded.state, events: [], version: folded.version, position: null, duplicate: false };
      }
      try {
        const result = await store.append(sessionId, folded.version, events, { ...context, expectedHash: folded.hash });
        if (result.duplicate) return await duplicateOf(sessionId, result, folded);
        const now = remember(sessionId, { state: after, version: result.version, hash: result.lastHash });
        return { state: now.state, events, version: now.version, position: result.position, duplicate: false };
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        conflicts += 1;
        if (Date.now() >= deadline) throw new ContentionTimeoutError(sessionId, conflicts, deadlineMs);
        // The first retry goes at once (the new events are usually few); later ones spread out.
        if (conflicts > 1) await sleep(random() * Math.min(100, 2 ** conflicts));
        // A head at or below our fold means the fold is wrong (the store lost or rewrote data): start over.
        const base = error.actualVersion <= folded.version ? empty() : folded;
        cache.delete(sessionId);
        folded = remember(sessionId, await catchUp(sessionId, base));
        fresh = true;
      }
    }
  };

  return {
    /** Decides and appends one command, or several in order as one append. Throws DomainError on a refusal. */
    execute: (sessionId: string, command: Command | readonly Command[], context: ExecuteOptions): Promise<Executed<State>> => {
      const commands = Array.isArray(command) ? (command as readonly Command[]) : [command as Command];
      return inLane(sessionId, () => run(sessionId, commands, context));
    },
    /** The fold this process holds for the session, without any I/O (it may be behind the store); undefined when none. */
    cached: (sessionId: string): Folded<State> | undefined => cache.get(sessionId),
    /** The session as stored now (the cached fold plus what was appended since). */
    read: async (sessionId: string): Promise<Folded<State>> => remember(sessionId, await catchUp(sessionId, cache.get(sessionId) ?? empty())),
    /** The session right after `version` (no cache: a point in its past), and the event at `version`. */
    readAt: async (sessionId: string, version: number): Promise<{ state: State; last: DomainEvent | null }> => {
      const envelopes = await store.readEvents(sessionId, 1, version);
      const last = envelopes.at(-1);
      const decoded = last?.version === version ? decodeEvent(last) : null;
      return { state: foldEnvelopes(decider, envelopes, decider.initialState()), last: decoded?.known ? (decoded as unknown as DomainEvent) : null };
    },
  };
};

export type CommandHandler<Command, State> = ReturnType<typeof createCommandHandler<Command, State>>;
