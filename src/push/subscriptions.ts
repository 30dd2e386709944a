import { randomUUID } from "node:crypto";
import { sql, type Selectable } from "kysely";
import { isAfter } from "../eventStore/position.ts";
import type { Database } from "../infra/database.ts";
import { pushDatabase, targetKey, type PushChannel, type PushSubscriptionsTable, type PushTarget, type PushTrigger } from "./tables.ts";

export type SubscriptionRow = Selectable<PushSubscriptionsTable>;

export interface NewSubscription {
  readonly owner: string;
  readonly target: PushTarget;
  readonly secret: string | null;
  readonly events: readonly PushTrigger[];
  readonly sessionIds: readonly string[] | null;
  /** The last entry of every partition log now (null: empty): it fires for later events only. */
  readonly afterEntries: readonly (string | null)[];
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === "23505";

/** Two subscribes to one destination at once: the second waits for the first, fails on the unique index, and replaces it when run again. */
const retryOnce = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return run();
  }
};

/**
 * Push subscriptions in Postgres: each belongs to the token (actor) that made it. Subscribing,
 * unsubscribing and a push service's "gone" are recorded in the append-only audit table in the
 * same transaction.
 */
export const createSubscriptions = (database: Database) => {
  const db = pushDatabase(database);
  const audit = (trx: typeof db, row: { actor: string; action: "subscribed" | "unsubscribed" | "gone"; id: string; owner: string; channel: PushChannel; detail: Record<string, unknown> }) =>
    trx.insertInto("push_subscription_audit").values({
      actor: row.actor, action: row.action, subscription_id: row.id, owner: row.owner, channel: row.channel, detail: JSON.stringify(row.detail),
    }).execute();

  type Removal = { actor: string; action: "unsubscribed" | "gone"; reason: string; owner?: string | undefined; targetKey?: string };
  /** Removes the active subscription `id` (or of `owner` to `targetKey`) and audits it; false when there was none. */
  const removeIn = async (trx: typeof db, id: string | undefined, removal: Removal) => {
    let query = trx.updateTable("push_subscriptions").set({ removed_at: sql<string>`now()`, removed_reason: removal.reason }).where("removed_at", "is", null);
    if (id !== undefined) query = query.where("id", "=", id);
    if (removal.owner !== undefined) query = query.where("owner", "=", removal.owner);
    if (removal.targetKey !== undefined) query = query.where("target_key", "=", removal.targetKey);
    const removed = await query.returning(["id", "owner", "channel"]).executeTakeFirst();
    if (removed) await audit(trx, { actor: removal.actor, action: removal.action, id: removed.id, owner: removed.owner, channel: removed.channel, detail: { reason: removal.reason } });
    return removed !== undefined;
  };
  const remove = (id: string, removal: Removal) => db.transaction().execute((trx) => removeIn(trx, id, removal));

  return {
    create: (subscription: NewSubscription): Promise<SubscriptionRow> => retryOnce(() =>
      db.transaction().execute(async (trx) => {
        const id = randomUUID();
        const key = targetKey(subscription.target);
        // Subscribing again to the same destination replaces the token's earlier subscription.
        await removeIn(trx, undefined, { actor: subscription.owner, action: "unsubscribed", reason: `replaced by ${id}`, owner: subscription.owner, targetKey: key });
        const row = await trx.insertInto("push_subscriptions").values({
          id, owner: subscription.owner, channel: subscription.target.channel, target: JSON.stringify(subscription.target), target_key: key, secret: subscription.secret,
          events: JSON.stringify(subscription.events), session_ids: subscription.sessionIds === null ? null : JSON.stringify(subscription.sessionIds), after_entries: JSON.stringify(subscription.afterEntries),
          removed_reason: null,
        }).returningAll().executeTakeFirstOrThrow();
        await audit(trx, {
          actor: subscription.owner, action: "subscribed", id, owner: subscription.owner, channel: subscription.target.channel,
          detail: { events: subscription.events, sessionIds: subscription.sessionIds, hasSecret: subscription.secret !== null },
        });
        return row;
      })),
    /** Active subscriptions: the owner's, or every one (owner undefined: an admin). */
    list: (owner: string | undefined): Promise<SubscriptionRow[]> => {
      let query = db.selectFrom("push_subscriptions").selectAll().where("removed_at", "is", null);
      if (owner !== undefined) query = query.where("owner", "=", owner);
      return query.orderBy("created_at").orderBy("id").execute();
    },
    /** Removes a subscription of `owner` (any, when undefined); false when there is none such. */
    unsubscribe: (id: string, actor: string, owner: string | undefined) => remove(id, { actor, action: "unsubscribed", reason: "unsubscribed", owner }),
    /** The push service said the subscription no longer exists. */
    markGone: (id: string, reason: string) => remove(id, { actor: "notifier", action: "gone", reason: `gone: ${reason}` }),
    /** The subscriptions an event at `entryId` of `partition` triggers: made before it, for its trigger and session. */
    triggered: async (trigger: PushTrigger, sessionId: string, partition: number, entryId: string): Promise<SubscriptionRow[]> => {
      const rows = await db.selectFrom("push_subscriptions").selectAll()
        .where("removed_at", "is", null)
        .where(sql<boolean>`events ? ${trigger}`)
        .where((where) => where.or([where("session_ids", "is", null), sql<boolean>`session_ids ? ${sessionId}`]))
        .execute();
      return rows.filter((row) => isAfter(entryId, row.after_entries[partition] ?? null));
    },
    /** The audit record, oldest first, after `afterSeq`. */
    auditLog: (afterSeq: number, limit: number) =>
      db.selectFrom("push_subscription_audit").selectAll().where("seq", ">", String(afterSeq)).orderBy("seq").limit(limit).execute(),
  };
};

export type Subscriptions = ReturnType<typeof createSubscriptions>;
