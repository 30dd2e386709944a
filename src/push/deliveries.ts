import { randomUUID } from "node:crypto";
import { sql, type Selectable } from "kysely";
import type { Database } from "../infra/database.ts";
import type { SendOutcome } from "./channels.ts";
import { pushDatabase, type DeliveryStatus, type PushDeliveriesTable, type PushPayload, type PushTarget, type PushTrigger } from "./tables.ts";

export type DeliveryRow = Selectable<PushDeliveriesTable>;

/** A delivery to claim for one event and one subscription. */
export interface Claim {
  readonly eventId: string;
  readonly eventAt: string;
  readonly subscriptionId: string;
  readonly owner: string;
  readonly channel: PushTarget["channel"];
  readonly sessionId: string;
  readonly promptId: string | null;
  readonly trigger: PushTrigger;
  readonly payload: PushPayload;
  /** Recorded at once, never sent: a client proved it is looking at the session. */
  readonly suppressed: boolean;
}

/** A claimed delivery taken for an attempt, with where it goes. */
export interface DueDelivery {
  readonly row: DeliveryRow;
  readonly target: PushTarget | null;
  readonly secret: string | null;
  /** Why the subscription is gone, when it was removed meanwhile. */
  readonly removed: string | null;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Exponential backoff with full jitter, at least what Retry-After asks, never past the cap. */
export const retryDelayMs = (attempts: number, retryAfterMs: number | null, policy: RetryPolicy, random = Math.random): number => {
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = backoff / 2 + random() * (backoff / 2);
  return Math.min(policy.maxMs, Math.max(jittered, retryAfterMs ?? 0));
};

/**
 * Deliveries in Postgres. One row per (event, subscription), claimed with INSERT ... ON
 * CONFLICT DO NOTHING before anything is sent: whichever notifier, restart or redelivery sees
 * the event again finds it claimed and sends nothing. Attempts take a row with a lease (FOR
 * UPDATE SKIP LOCKED), so notifier processes share the work without taking the same row.
 */
export const createDeliveries = (database: Database, policy: RetryPolicy) => {
  const db = pushDatabase(database);

  /** The claims that were new; the others were claimed before (by this or another notifier). */
  const claim = async (claims: readonly Claim[]): Promise<DeliveryRow[]> => {
    if (claims.length === 0) return [];
    return db.insertInto("push_deliveries").values(claims.map((one) => ({
      id: randomUUID(), event_id: one.eventId, subscription_id: one.subscriptionId, owner: one.owner, channel: one.channel,
      session_id: one.sessionId, prompt_id: one.promptId, trigger: one.trigger, payload: JSON.stringify(one.payload),
      status: one.suppressed ? "suppressed" : "pending", attempts: 0, last_error: null, event_at: one.eventAt,
      next_attempt_at: one.suppressed ? null : sql<string>`now()`, locked_until: null,
    }))).onConflict((conflict) => conflict.columns(["event_id", "subscription_id"]).doNothing()).returningAll().execute();
  };

  /** Takes up to `limit` due deliveries for an attempt, each leased for `leaseMs`. */
  const takeDue = async (limit: number, leaseMs: number): Promise<DueDelivery[]> => {
    const { rows } = await sql<DeliveryRow>`
      with due as (
        select id from push_deliveries
        where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
        order by next_attempt_at limit ${limit} for update skip locked)
      update push_deliveries d set locked_until = now() + make_interval(secs => ${leaseMs / 1000}), attempts = d.attempts + 1
      from due where d.id = due.id returning d.*`.execute(db);
    if (rows.length === 0) return [];
    const subscriptions = await db.selectFrom("push_subscriptions").select(["id", "target", "secret", "removed_reason"])
      .where("id", "in", rows.map((row) => row.subscription_id)).execute();
    const byId = new Map(subscriptions.map((subscription) => [subscription.id, subscription]));
    return rows.map((row) => {
      const subscription = byId.get(row.subscription_id);
      return { row, target: subscription?.target ?? null, secret: subscription?.secret ?? null, removed: subscription?.removed_reason ?? (subscription ? null : "missing") };
    });
  };

  const finish = (id: string, status: DeliveryStatus, lastError: string | null) =>
    db.updateTable("push_deliveries").set({ status, last_error: lastError, locked_until: null, next_attempt_at: null, at: sql<string>`now()` }).where("id", "=", id).execute();

  /** Records an attempt's outcome: settled, or pending again until its next attempt. Returns the status. */
  const settle = async (row: DeliveryRow, outcome: SendOutcome): Promise<DeliveryStatus> => {
    switch (outcome.kind) {
      case "sent":
        await finish(row.id, "sent", null);
        return "sent";
      case "gone":
        await finish(row.id, "gone", outcome.error);
        return "gone";
      case "failed":
        await finish(row.id, "failed", outcome.error);
        return "failed";
      case "retry": {
        if (row.attempts >= policy.maxAttempts) {
          await finish(row.id, "failed", `${outcome.error} (after ${row.attempts} attempts)`);
          return "failed";
        }
        const delay = retryDelayMs(row.attempts, outcome.retryAfterMs, policy);
        await db.updateTable("push_deliveries").set({
          last_error: outcome.error, locked_until: null, at: sql<string>`now()`,
          next_attempt_at: sql<string>`now() + make_interval(secs => ${delay / 1000})`,
        }).where("id", "=", row.id).execute();
        return "pending";
      }
      default: {
        const unhandled: never = outcome;
        throw new Error(`no outcome ${(unhandled as { kind: string }).kind}`);
      }
    }
  };

  /** Deliveries newest first: the owner's (every one when undefined), of one session when given. */
  const list = (filter: { owner: string | undefined; sessionId: string | undefined; limit: number }) => {
    let query = db.selectFrom("push_deliveries").selectAll();
    if (filter.owner !== undefined) query = query.where("owner", "=", filter.owner);
    if (filter.sessionId !== undefined) query = query.where("session_id", "=", filter.sessionId);
    return query.orderBy("at", "desc").orderBy("id").limit(filter.limit).execute();
  };

  return { claim, takeDue, settle, finish, list };
};

export type Deliveries = ReturnType<typeof createDeliveries>;
