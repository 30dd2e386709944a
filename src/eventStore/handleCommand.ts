import type { EventMeta } from "../../events/envelope.ts";
import { decodeEvent, type DomainEvent } from "../../events/registry.ts";
import { ConcurrencyError } from "../errors.ts";
import type { AppendResult, EventStore } from "./eventStore.ts";

export interface Decider<Command, State> {
  readonly decide: (command: Command, state: State) => readonly DomainEvent[];
  readonly evolve: (state: State, event: DomainEvent) => State;
  readonly initialState: () => State;
}

export interface CommandOutcome<State> {
  readonly result: AppendResult;
  readonly events: readonly DomainEvent[];
  /** The state after the new events. */
  readonly state: State;
}

/** Folds a session's stored events; events this build cannot decode are skipped. */
export const foldSession = <State>(decider: Decider<unknown, State>, events: Parameters<typeof decodeEvent>[0][]): State => {
  let state = decider.initialState();
  for (const envelope of events) {
    const decoded = decodeEvent(envelope);
    if (decoded.known) state = decider.evolve(state, decoded as DomainEvent);
  }
  return state;
};

/**
 * The command path: read → fold → decide → append with the read version. On a concurrency
 * conflict the whole path runs again, a bounded number of times. A repeated idempotency key
 * answers with the first result before anything is decided.
 */
export const createCommandHandler = <Command, State>(store: EventStore, decider: Decider<Command, State>, maxAttempts = 5) =>
  async (sessionId: string, command: Command, options: { meta: EventMeta; idempotencyKey?: string; now?: Date }): Promise<CommandOutcome<State>> => {
    for (let attempt = 1; ; attempt += 1) {
      if (options.idempotencyKey) {
        const prior = await store.idempotentResult(sessionId, options.idempotencyKey);
        if (prior) return { result: prior, events: [], state: await readState(store, decider, sessionId) };
      }
      const history = await store.readSession(sessionId);
      const state = foldSession(decider as Decider<unknown, State>, [...history.events]);
      const events = decider.decide(command, state);
      try {
        const result = await store.append(sessionId, history.version, events, { ...options, expectedHash: history.lastHash });
        const after = result.duplicate ? await readState(store, decider, sessionId) : events.reduce(decider.evolve, state);
        return { result, events: result.duplicate ? [] : events, state: after };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
      }
    }
  };

export const readState = async <State>(store: EventStore, decider: Decider<never, State>, sessionId: string): Promise<State> =>
  foldSession(decider as Decider<unknown, State>, [...(await store.readSession(sessionId)).events]);
