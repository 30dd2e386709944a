import { decide } from "./decide.ts";
import { evolve, fold } from "./evolve.ts";
import { initialState } from "./state.ts";

/** The session aggregate: a pure decider. The command handler reads, folds, decides, appends. */
export const sessionDecider = { decide, evolve, initialState } as const;

export { decide, evolve, fold, initialState };
export { permissionOf, promptStatus, queuePosition } from "./state.ts";
export type * from "./state.ts";
export type * from "./commands.ts";
