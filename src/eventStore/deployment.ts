import { randomUUID } from "node:crypto";
import type { StoreInternals } from "./internals.ts";

/**
 * The deployment marker: an id kept in Redis (the config hash) and remembered by Postgres.
 * A Redis that comes back without it (or with another one) has lost this deployment's data;
 * that is detected and reported, never papered over by starting afresh.
 */
export interface DeploymentWitness {
  /** The marker Postgres remembers, or null when it has none yet. Throws while Postgres is away. */
  readonly recorded: () => Promise<string | null>;
  readonly record: (marker: string) => Promise<void>;
}

export type DeploymentState =
  | { readonly kind: "ok"; readonly marker: string }
  | { readonly kind: "lost"; readonly detail: string }
  | { readonly kind: "unknown"; readonly detail: string };

const RESTORE_HINT = "writes are refused; rebuild Redis from the archive with `ccm restore --from archive`";

/** What Postgres remembers, or undefined when it cannot be asked right now. */
const recordedBy = async (witness: DeploymentWitness): Promise<string | null | undefined> => {
  try {
    return await witness.recorded();
  } catch {
    return undefined;
  }
};

/**
 * Checks the marker. `known` is the marker this process saw before (null at start): a marker
 * that vanished or changed since then means Redis lost its data. Without a witness (a runner
 * needs only Redis) a missing marker is waited for, never created.
 */
export const checkDeployment = async (internals: StoreInternals, witness: DeploymentWitness | null, known: string | null): Promise<DeploymentState> => {
  const { redis, keys } = internals;
  const marker = await redis.hget(keys.config, "deployment");
  const recorded = witness ? await recordedBy(witness) : undefined;
  if (marker !== null) {
    if (known !== null && marker !== known) return { kind: "lost", detail: `the deployment marker in Redis changed (${known} → ${marker}): ${RESTORE_HINT}` };
    if (recorded !== undefined && recorded !== null && recorded !== marker) {
      return { kind: "lost", detail: `Redis holds deployment ${marker}, Postgres remembers ${recorded}: ${RESTORE_HINT}` };
    }
    if (recorded === null) await witness?.record(marker);
    return { kind: "ok", marker };
  }
  if (known !== null) return { kind: "lost", detail: `Redis came back without the deployment marker: its data is gone; ${RESTORE_HINT}` };
  if (recorded) return { kind: "lost", detail: `Redis has no deployment marker but Postgres remembers ${recorded}: Redis lost its data; ${RESTORE_HINT}` };
  if (witness === null) return { kind: "unknown", detail: "no deployment marker in Redis yet: waiting for an api or projector process to create it" };
  // A new deployment. (With Postgres away it cannot be told from a lost one: the next check
  // that reaches Postgres records the marker, or finds another and refuses writes then.)
  await redis.hsetnx(keys.config, "deployment", randomUUID());
  const created = (await redis.hget(keys.config, "deployment")) ?? "";
  if (recorded === null) await witness.record(created);
  return { kind: "ok", marker: created };
};
