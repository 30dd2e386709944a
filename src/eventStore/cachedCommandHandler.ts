import { GENESIS_HASH, type EventMeta } from "../../events/envelope.ts";
import { decodeEvent, type DomainEvent } from "../../events/registry.ts";
import { ConcurrencyError } from "../errors.ts";
import { envelopeOf, type EventStore } from "./eventStore.ts";
import { readState, type CommandOutcome, type Decider } from "./handleCommand.ts";

interface Folded<State> {
  readonly state: State;
  readonly version: number;
  readonly hash: string;
}

/**
 * The command path of `createCommandHandler` with the folded state of recently used sessions
 * kept in memory (LRU). A command on a cached session decides on the cached fold and appends
 * straight away; a read happens only on a miss, a conflict, a refusal or an empty decision,
 * and then only the events after the cached version. A stale fold is harmless: the append
 * is guarded by version and hash in Redis, so a conflict re-reads and retries as before.
 */
export const createCachedCommandHandler = <Command, State>(
  store: EventStore,
  decider: Decider<Command, State>,
  options: { maxSessions?: number; maxAttempts?: number } = {},
) => {
  const maxSessions = options.maxSessions ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const cache = new Map<string, Folded<State>>();

  const remember = (sessionId: string, folded: Folded<State>) => {
    cache.delete(sessionId);
    cache.set(sessionId, folded);
    if (cache.size > maxSessions) cache.delete(cache.keys().next().value as string);
  };

  /** The cached fold plus whatever was appended since; no head read when nothing was. */
  const catchUp = async (sessionId: string): Promise<Folded<State>> => {
    const known = cache.get(sessionId) ?? { state: decider.initialState(), version: 0, hash: GENESIS_HASH };
    const key = store.keys.sessionStream(store.partitionFor(sessionId), sessionId);
    const entries = await store.redis.xrange(key, `0-${known.version + 1}`, "+");
    let { state, version, hash } = known;
    for (const [, fields] of entries) {
      const envelope = envelopeOf(fields);
      const decoded = decodeEvent(envelope);
      if (decoded.known) state = decider.evolve(state, decoded as DomainEvent);
      version = envelope.version;
      hash = envelope.hash;
    }
    return { state, version, hash };
  };

  /** The decision on a fold, or null when a stale fold might have misled it. */
  const decideOn = (command: Command, folded: Folded<State>, fresh: boolean): readonly DomainEvent[] | null => {
    try {
      const events = decider.decide(command, folded.state);
      // An empty decision writes nothing, so no append would catch a stale fold: re-read.
      return events.length === 0 && !fresh ? null : events;
    } catch (error) {
      if (fresh) throw error;
      return null;
    }
  };

  return async (sessionId: string, command: Command, context: { meta: EventMeta; idempotencyKey?: string; now?: Date }): Promise<CommandOutcome<State>> => {
    // First try on the cached fold without reading: the append checks version and hash, so
    // a decision on a stale fold can never be written. Anything doubtful re-reads.
    let trustCache = true;
    for (let attempt = 1; ; attempt += 1) {
      if (context.idempotencyKey) {
        const prior = await store.idempotentResult(sessionId, context.idempotencyKey);
        if (prior) return { result: prior, events: [], state: await readState(store, decider, sessionId) };
      }
      const cached = trustCache ? cache.get(sessionId) : undefined;
      const folded = cached ?? (await catchUp(sessionId));
      remember(sessionId, folded);
      const events = decideOn(command, folded, cached === undefined);
      trustCache = false;
      if (events === null) continue;
      try {
        const result = await store.append(sessionId, folded.version, events, { ...context, expectedHash: folded.hash });
        if (result.duplicate) return { result, events: [], state: await readState(store, decider, sessionId) };
        const state = events.reduce(decider.evolve, folded.state);
        if (events.length > 0) remember(sessionId, { state, version: result.version, hash: result.lastHash });
        return { result, events, state };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
      }
    }
  };
};
