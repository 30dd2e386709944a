import { createHmac } from "node:crypto";
import { Agent } from "node:https";
import webPush from "web-push";
import { toError } from "../errors.ts";
import type { PushPayload, PushTarget } from "./tables.ts";
import type { VapidKeys } from "./vapidKeys.ts";

/** What one attempt came to. `gone`: the push service says the subscription no longer exists. */
export type SendOutcome =
  | { readonly kind: "sent" }
  | { readonly kind: "retry"; readonly error: string; readonly retryAfterMs: number | null }
  | { readonly kind: "gone"; readonly error: string }
  | { readonly kind: "failed"; readonly error: string };

export interface ChannelOptions {
  readonly vapid: VapidKeys;
  /** Keeps TLS connections to push services open between messages (a handshake per push is most of its cost). */
  readonly agent: Agent;
  readonly expoUrl: string;
  readonly expoAccessToken: string | undefined;
  readonly timeoutMs: number;
}

export interface Delivery {
  readonly id: string;
  readonly target: PushTarget;
  readonly secret: string | null;
  readonly payload: PushPayload;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export const retryAfterMs = (header: string | string[] | null | undefined, now = Date.now()): number | null => {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === null || value.trim() === "") return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
};

/** An HTTP answer as an outcome: 2xx sent; 429 and 5xx retried; `goneOn` statuses gone; other errors failed. */
const outcomeOfStatus = (status: number, retryAfter: string | string[] | null | undefined, body: string, goneOn: readonly number[]): SendOutcome => {
  if (status >= 200 && status < 300) return { kind: "sent" };
  const error = `HTTP ${status}${body.trim() === "" ? "" : `: ${body.slice(0, 200)}`}`;
  if (goneOn.includes(status)) return { kind: "gone", error };
  if (status === 429 || status >= 500) return { kind: "retry", error, retryAfterMs: retryAfterMs(retryAfter) };
  return { kind: "failed", error };
};

/** A request that never answered (refused, reset, timed out) may succeed later. */
const networkFailure = (error: unknown): SendOutcome => ({ kind: "retry", error: toError(error).message.slice(0, 200), retryAfterMs: null });

const sendWebPush = async (delivery: Delivery & { target: { channel: "webpush" } }, options: ChannelOptions): Promise<SendOutcome> => {
  const { endpoint, keys } = delivery.target;
  try {
    const result = await webPush.sendNotification({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } }, JSON.stringify(delivery.payload), {
      vapidDetails: options.vapid,
      timeout: options.timeoutMs,
      agent: options.agent,
      TTL: 24 * 60 * 60,
      urgency: delivery.payload.type.startsWith("permission_") ? "high" : "normal",
      // A repeat of this delivery replaces the first one still waiting at the push service.
      topic: delivery.id.replaceAll("-", ""),
    });
    return outcomeOfStatus(result.statusCode, undefined, "", []);
  } catch (error) {
    if (error instanceof webPush.WebPushError) return outcomeOfStatus(error.statusCode, error.headers["retry-after"], error.body, [404, 410]);
    return networkFailure(error);
  }
};

/** Expo answers 200 with a ticket per message: `DeviceNotRegistered` means the token is gone. */
const expoOutcome = async (response: Response): Promise<SendOutcome> => {
  const text = await response.text();
  if (response.status !== 200) return outcomeOfStatus(response.status, response.headers.get("retry-after"), text, []);
  const parsed = JSON.parse(text) as { data?: unknown };
  const ticket = (Array.isArray(parsed.data) ? parsed.data[0] : parsed.data) as { status?: string; message?: string; details?: { error?: string } } | undefined;
  if (ticket?.status === "ok") return { kind: "sent" };
  const error = `${ticket?.details?.error ?? "error"}: ${ticket?.message ?? text.slice(0, 200)}`;
  if (ticket?.details?.error === "DeviceNotRegistered") return { kind: "gone", error };
  if (ticket?.details?.error === "MessageRateExceeded") return { kind: "retry", error, retryAfterMs: null };
  return { kind: "failed", error };
};

const sendExpo = async (delivery: Delivery & { target: { channel: "expo" } }, options: ChannelOptions): Promise<SendOutcome> => {
  const { payload } = delivery;
  try {
    const response = await fetch(options.expoUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json", accept: "application/json",
        ...(options.expoAccessToken === undefined ? {} : { authorization: `Bearer ${options.expoAccessToken}` }),
      },
      body: JSON.stringify([{ to: delivery.target.token, title: payload.title, body: payload.body, data: payload, priority: "high" }]),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    return await expoOutcome(response);
  } catch (error) {
    return networkFailure(error);
  }
};

/** The signature a webhook receiver checks: HMAC-SHA256 of the exact body bytes, in hex. */
export const webhookSignature = (secret: string, body: string): string => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

const sendWebhook = async (delivery: Delivery & { target: { channel: "webhook" } }, options: ChannelOptions): Promise<SendOutcome> => {
  const body = JSON.stringify(delivery.payload);
  try {
    const response = await fetch(delivery.target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json", "user-agent": "claude-code-mobile-webhook",
        // The same id on every attempt: a receiver can drop a repeat.
        "x-delivery-id": delivery.id,
        ...(delivery.secret === null ? {} : { "x-signature-256": webhookSignature(delivery.secret, body) }),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The receiver's answer is not kept: a webhook may point anywhere, and its replies are not the subscriber's to read.
    await response.body?.cancel().catch(() => undefined);
    return outcomeOfStatus(response.status, response.headers.get("retry-after"), "", [410]);
  } catch (error) {
    return networkFailure(error);
  }
};

/** The agent of one notifier's Web Push requests. */
export const pushAgent = (concurrency: number): Agent => new Agent({ keepAlive: true, maxSockets: concurrency, timeout: 60_000 });

/** One attempt to deliver, over the subscription's channel. */
export const send = (delivery: Delivery, options: ChannelOptions): Promise<SendOutcome> => {
  const { target } = delivery;
  switch (target.channel) {
    case "webpush":
      return sendWebPush({ ...delivery, target }, options);
    case "expo":
      return sendExpo({ ...delivery, target }, options);
    case "webhook":
      return sendWebhook({ ...delivery, target }, options);
    default: {
      const unhandled: never = target;
      throw new Error(`no channel ${(unhandled as { channel: string }).channel}`);
    }
  }
};
