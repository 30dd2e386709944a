/**
 * Why the event store refuses writes right now, if it does: durability that could not be
 * verified, or a Redis that lost the deployment's data. Each condition is set and cleared by
 * whoever watches it; appends check the guard first.
 */
export type WriteRefusalCode = "durability_unavailable" | "redis_data_lost" | "deployment_unknown";

export interface WriteRefusal {
  readonly code: WriteRefusalCode;
  readonly detail: string;
}

/** Thrown by an append while the guard refuses writes: nothing was written. */
export class WritesRefusedError extends Error {
  override readonly name = "WritesRefusedError";
  readonly code: WriteRefusalCode;

  constructor(refusal: WriteRefusal) {
    super(refusal.detail);
    this.code = refusal.code;
  }
}

export const createWriteGuard = () => {
  const refusals = new Map<WriteRefusalCode, string>();
  return {
    set: (code: WriteRefusalCode, detail: string | null) => {
      if (detail === null) refusals.delete(code);
      else refusals.set(code, detail);
    },
    /** Throws WritesRefusedError while any condition holds. */
    check: () => {
      const [first] = refusals.entries();
      if (first) throw new WritesRefusedError({ code: first[0], detail: first[1] });
    },
    refused: (code: WriteRefusalCode) => refusals.has(code),
  };
};

export type WriteGuard = ReturnType<typeof createWriteGuard>;
