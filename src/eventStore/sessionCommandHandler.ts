import { sessionDecider, type SessionCommand, type SessionState } from "../../commands/session/index.ts";
import { createCommandHandler, type CommandHandler, type CommandHandlerOptions } from "./commandHandler.ts";
import type { EventStore } from "./eventStore.ts";

/** The command handler of the session aggregate: the one the api, the runner and the live stream share. */
export type SessionCommandHandler = CommandHandler<SessionCommand, SessionState>;

export const createSessionCommandHandler = (store: EventStore, options: Omit<CommandHandlerOptions<SessionCommand, SessionState>, "store" | "decider"> = {}): SessionCommandHandler =>
  createCommandHandler({ store, decider: sessionDecider, ...options });
