import type { EventMeta } from "../../events/envelope.ts";
import { decodeEvent, type DomainEvent } from "../../events/registry.ts";
import { isDomainError } from "../../commands/errors.ts";
import { sessionDecider, type SessionCommand, type SessionState } from "../../commands/session/index.ts";
import { ConcurrencyError } from "../errors.ts";
import type { AppendResult, EventStore } from "../eventStore/eventStore.ts";

/**
 * The command path for the runner: the same decider and the same optimistic append as
 * `createCommandHandler`, but the folded state of the sessions it works on is kept between
 * commands. A job writes one event per CLI line; re-reading the whole session stream for each
 * would make every line cost O(history). On a conflict (someone else appended) or a rejection
 * that a stale state could explain, only the missing events are read and the command runs again.
 */
type Cached = { state: SessionState; version: number; hash: string };
type Outcome = { result: AppendResult; events: readonly DomainEvent[]; state: SessionState };

const decideAll = (commands: readonly SessionCommand[], state: SessionState): DomainEvent[] => {
  const events: DomainEvent[] = [];
  let current = state;
  for (const command of commands) {
    const decided = sessionDecider.decide(command, current);
    events.push(...decided);
    current = decided.reduce(sessionDecider.evolve, current);
  }
  return events;
};

export type SessionCommands = {
  readonly execute: (
    sessionId: string,
    command: SessionCommand,
    options: { meta: EventMeta; idempotencyKey?: string },
  ) => Promise<Outcome>;
  /** Several commands decided in order and appended together: one round trip for a burst of lines. */
  readonly executeMany: (
    sessionId: string,
    commands: readonly SessionCommand[],
    options: { meta: EventMeta; idempotencyKey?: string },
  ) => Promise<Outcome>;
  /** The session's state, refreshed from the store. */
  readonly read: (sessionId: string) => Promise<SessionState>;
  readonly forget: (sessionId: string) => void;
};

const MAX_ATTEMPTS = 8;
const MAX_CACHED = 1000;

export const createSessionCommands = (store: EventStore): SessionCommands => {
  const cache = new Map<string, Cached>();

  const catchUp = async (sessionId: string, from?: Cached): Promise<Cached> => {
    const base = from ?? { state: sessionDecider.initialState(), version: 0, hash: "" };
    const history = await store.readSession(sessionId, base.version + 1);
    let state = base.state;
    for (const envelope of history.events) {
      const decoded = decodeEvent(envelope);
      if (decoded.known) state = sessionDecider.evolve(state, decoded as DomainEvent);
    }
    const next = { state, version: history.version, hash: history.lastHash };
    if (cache.size >= MAX_CACHED && !cache.has(sessionId)) cache.delete(cache.keys().next().value as string);
    cache.set(sessionId, next);
    return next;
  };

  const executeMany: SessionCommands["executeMany"] = async (sessionId, commands, options) => {
    const cached = cache.get(sessionId);
    let fresh = cached === undefined;
    let current = cached ?? (await catchUp(sessionId));
    for (let attempt = 1; ; attempt += 1) {
      let events: readonly DomainEvent[];
      try {
        events = decideAll(commands, current.state);
      } catch (error) {
        if (!isDomainError(error) || fresh) throw error;
        current = await catchUp(sessionId, current);
        fresh = true;
        continue;
      }
      try {
        const result = await store.append(sessionId, current.version, events, { ...options, expectedHash: current.hash });
        if (result.duplicate) return { result, events: [], state: (await catchUp(sessionId, current)).state };
        const state = events.reduce(sessionDecider.evolve, current.state);
        if (events.length > 0) cache.set(sessionId, { state, version: result.version, hash: result.lastHash });
        return { result, events, state };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
        current = await catchUp(sessionId, current);
        fresh = true;
      }
    }
  };

  return {
    execute: (sessionId, command, options) => executeMany(sessionId, [command], options),
    executeMany,
    read: async (sessionId) => (await catchUp(sessionId, cache.get(sessionId))).state,
    forget: (sessionId) => void cache.delete(sessionId),
  };
};
