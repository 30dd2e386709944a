import type { ColumnType, Kysely } from "kysely";
import type { Database } from "../infra/database.ts";

/** What may trigger a push: a permission request of each kind, a job's end. */
export const pushTriggers = ["permission_tool", "permission_question", "permission_plan", "job_completed", "job_failed"] as const;
export type PushTrigger = (typeof pushTriggers)[number];

export const pushChannels = ["webpush", "expo", "webhook"] as const;
export type PushChannel = (typeof pushChannels)[number];

/** `pending`: claimed and not settled yet (in flight, or waiting for a retry). */
export const deliveryStatuses = ["pending", "sent", "failed", "suppressed", "gone"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** Where a channel delivers: a browser's push endpoint and keys, an Expo token, a webhook URL. */
export type PushTarget =
  | { readonly channel: "webpush"; readonly endpoint: string; readonly keys: { readonly p256dh: string; readonly auth: string } }
  | { readonly channel: "expo"; readonly token: string }
  | { readonly channel: "webhook"; readonly url: string };

type Json<T> = ColumnType<T, string, string>;

/** A destination as one string: two subscriptions of a token to it are one. */
export const targetKey = (target: PushTarget): string => {
  switch (target.channel) {
    case "webpush":
      return `webpush ${target.endpoint}`;
    case "expo":
      return `expo ${target.token}`;
    case "webhook":
      return `webhook ${target.url}`;
    default: {
      const unhandled: never = target;
      throw new Error(`no channel ${(unhandled as { channel: string }).channel}`);
    }
  }
};

/** Migration 0013. `after_entries`: the last entry of every partition log when it was made (it fires only after them). */
export interface PushSubscriptionsTable {
  id: string;
  owner: string;
  channel: PushChannel;
  target: Json<PushTarget>;
  /** Where it delivers, as one string: the endpoint, token or URL. */
  target_key: string;
  secret: string | null;
  events: Json<PushTrigger[]>;
  session_ids: ColumnType<string[] | null, string | null, string | null>;
  after_entries: Json<(string | null)[]>;
  created_at: ColumnType<string, never, never>;
  removed_at: ColumnType<string | null, never, string>;
  removed_reason: string | null;
}

/** The notification as sent (under 4 KB). */
export interface PushPayload {
  readonly type: PushTrigger;
  readonly sessionId: string;
  readonly promptId: string | null;
  readonly requestId?: string;
  readonly title: string;
  readonly body: string;
}

export interface PushDeliveriesTable {
  id: string;
  event_id: string;
  subscription_id: string;
  owner: string;
  channel: PushChannel;
  session_id: string;
  prompt_id: string | null;
  trigger: PushTrigger;
  payload: Json<PushPayload>;
  status: DeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  /** When the triggering event happened (the latency histogram measures from it). */
  event_at: string;
  next_attempt_at: string | null;
  locked_until: string | null;
  at: ColumnType<string, string | undefined, string>;
}

export interface PushAuditTable {
  seq: ColumnType<string, never, never>;
  at: ColumnType<string, never, never>;
  actor: string;
  action: "subscribed" | "unsubscribed" | "gone";
  subscription_id: string;
  owner: string;
  channel: PushChannel;
  detail: Json<Record<string, unknown>>;
}

export type PushTables = {
  push_subscriptions: PushSubscriptionsTable;
  push_deliveries: PushDeliveriesTable;
  push_subscription_audit: PushAuditTable;
};

export type PushDatabase = Kysely<PushTables>;

/** The service's database seen with the push tables (they are not read models, so `ReadModels` does not list them). */
export const pushDatabase = (db: Database): PushDatabase => db.withTables<PushTables>() as unknown as PushDatabase;
