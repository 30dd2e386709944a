import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../errors.ts";
import type { DeliveryRow } from "../push/deliveries.ts";
import type { SubscriptionRow } from "../push/subscriptions.ts";
import { deliveryStatuses, pushChannels, pushTriggers, type PushTarget } from "../push/tables.ts";
import type { AppDeps } from "./deps.ts";
import { requireReadModels } from "./freshness.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

const tags = ["push"];
const security = [{ bearerAuth: [] }];
const errors = { ...S.commonErrors, 403: S.ProblemBody };

/** base64url (padding tolerated) that decodes to exactly `bytes` bytes. */
const base64url = (bytes: number, what: string) =>
  z.string().max(200).regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url`)
    .refine((value) => Buffer.from(value, "base64url").length === bytes, `${what} must be ${bytes} bytes`);

const Triggers = z.array(z.enum(pushTriggers)).min(1).max(pushTriggers.length).optional()
  .describe("What triggers it (default: all): a permission request of each kind, a job completed or failed");
const narrowing = {
  events: Triggers,
  sessionIds: z.array(z.uuid()).min(1).max(100).optional().describe("Only these sessions (default: every session)"),
};
const SubscribeBody = z.discriminatedUnion("channel", [
  z.object({
    channel: z.literal("webpush"),
    endpoint: z.url({ protocol: /^https$/, error: "endpoint must be an https URL" }).max(2048),
    keys: z.object({ p256dh: base64url(65, "p256dh"), auth: base64url(16, "auth") }),
    ...narrowing,
  }),
  z.object({
    channel: z.literal("expo"),
    token: z.string().regex(/^Expo(nent)?PushToken\[[A-Za-z0-9_-]{1,200}\]$/, "an Expo push token such as ExponentPushToken[xxxx]"),
    ...narrowing,
  }),
  z.object({
    channel: z.literal("webhook"),
    url: z.url({ protocol: /^https?$/, error: "url must be an http or https URL" }).max(2048),
    secret: z.string().min(16).max(256).optional().describe("Signs each body: X-Signature-256: sha256=<hex HMAC-SHA256>. Never shown again"),
    ...narrowing,
  }),
]);

const PushSubscription = z.object({
  id: z.string(),
  channel: z.enum(pushChannels),
  owner: z.string().describe("The token that made it"),
  endpoint: z.string().optional().describe("webpush: the push service endpoint"),
  url: z.string().optional().describe("webhook: where it posts"),
  token: z.string().optional().describe("expo: the push token, its middle masked"),
  hasSecret: z.boolean().describe("webhook: bodies are signed (the secret is never shown)"),
  events: z.array(z.enum(pushTriggers)),
  sessionIds: z.array(z.string()).nullable(),
  createdAt: z.string(),
});
const Delivery = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  channel: z.enum(pushChannels),
  sessionId: z.string(),
  promptId: z.string().nullable(),
  trigger: z.enum(pushTriggers),
  status: z.enum(deliveryStatuses).describe("pending: not settled yet (in flight or waiting to retry)"),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  at: z.string().describe("When it reached this status"),
});
const AuditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.enum(["subscribed", "unsubscribed", "gone"]),
  subscriptionId: z.string(),
  owner: z.string(),
  channel: z.enum(pushChannels),
  detail: z.record(z.string(), z.unknown()),
});

const maskToken = (token: string) => token.replace(/\[(.{0,4}).*?(.{0,4})\]$/, (_all, head: string, tail: string) => `[${head}…${tail}]`);

const targetView = (target: PushTarget) => {
  switch (target.channel) {
    case "webpush":
      return { endpoint: target.endpoint };
    case "expo":
      return { token: maskToken(target.token) };
    case "webhook":
      return { url: target.url };
    default: {
      const unhandled: never = target;
      throw new Error(`no channel ${(unhandled as { channel: string }).channel}`);
    }
  }
};

const subscriptionView = (row: SubscriptionRow): z.infer<typeof PushSubscription> => ({
  id: row.id, channel: row.channel, owner: row.owner, ...targetView(row.target), hasSecret: row.secret !== null,
  events: row.events, sessionIds: row.session_ids, createdAt: row.created_at,
});

const deliveryView = (row: DeliveryRow): z.infer<typeof Delivery> => ({
  id: row.id, subscriptionId: row.subscription_id, channel: row.channel, sessionId: row.session_id, promptId: row.prompt_id,
  trigger: row.trigger, status: row.status, attempts: row.attempts, lastError: row.last_error, at: row.at,
});

/**
 * Push notifications and webhooks: the VAPID public key a browser subscribes with, the
 * caller's subscriptions (a token sees its own; an admin every one), their deliveries, and for
 * auditors the record of subscribing and unsubscribing.
 */
export const pushRoutes: FastifyPluginAsyncZod<AppDeps & { push: NonNullable<AppDeps["push"]> }> = async (app, deps) => {
  const { config, store, push } = deps;
  const base = "/api/claude-code/push";
  /** Whose rows a request sees: its own, or all for an admin. */
  const ownerOf = (request: { actor: string; scope: string }) => (request.scope === "admin" ? undefined : request.actor);
  /** Subscriptions and deliveries live in Postgres: 503 until it is there and migrated. */
  const preHandler = async () => requireReadModels(deps.reads);

  app.get(`${base}/vapid-public-key`, {
    schema: { tags, security, summary: "The deployment's VAPID public key (base64url), for PushManager.subscribe", response: { 200: z.object({ publicKey: z.string() }), ...errors } },
    config: limitFor(config, "reads"),
  }, async () => ({ publicKey: push.vapidPublicKey }));

  app.post(`${base}/subscriptions`, {
    schema: {
      tags, security, summary: "Subscribe to pushes (Web Push, Expo) or a webhook", body: SubscribeBody,
      description: "It fires for events after it was made, never for older history. Secrets (webhook secret, Web Push keys) are never shown again.",
      response: { 201: PushSubscription, ...errors },
    },
    config: limitFor(config, "writes"),
    preHandler,
  }, async (request, reply) => {
    const { body } = request;
    const target: PushTarget = body.channel === "webpush" ? { channel: "webpush", endpoint: body.endpoint, keys: body.keys }
      : body.channel === "expo" ? { channel: "expo", token: body.token } : { channel: "webhook", url: body.url };
    // Where every partition log ends now: it fires for later events only.
    const afterEntries = await Promise.all(Array.from({ length: store.partitions }, (_, partition) => store.lastEntryId(partition)));
    const row = await push.subscriptions.create({
      owner: request.actor, target, secret: body.channel === "webhook" ? body.secret ?? null : null,
      events: body.events ?? [...pushTriggers], sessionIds: body.sessionIds ?? null, afterEntries,
    });
    request.log.info({ actor: request.actor, subscriptionId: row.id, channel: row.channel }, "push: subscribed");
    return reply.code(201).send(subscriptionView(row));
  });

  app.get(`${base}/subscriptions`, {
    schema: { tags, security, summary: "The caller's subscriptions (an admin: every one)", response: { 200: z.object({ subscriptions: z.array(PushSubscription) }), ...errors } },
    config: limitFor(config, "reads"),
    preHandler,
  }, async (request) => ({ subscriptions: (await push.subscriptions.list(ownerOf(request))).map(subscriptionView) }));

  app.delete(`${base}/subscriptions/:id`, {
    schema: { tags, security, summary: "Unsubscribe", params: z.object({ id: z.uuid() }), response: { 200: z.object({ unsubscribed: z.string() }), ...errors, 404: S.ProblemBody } },
    config: limitFor(config, "writes"),
    preHandler,
  }, async (request) => {
    const { id } = request.params;
    if (!(await push.subscriptions.unsubscribe(id, request.actor, ownerOf(request)))) {
      throw AppError.of("push_subscription_not_found", `no push subscription ${id} of yours`, { id });
    }
    request.log.info({ actor: request.actor, subscriptionId: id }, "push: unsubscribed");
    return { unsubscribed: id };
  });

  app.get(`${base}/deliveries`, {
    schema: {
      tags, security, summary: "Deliveries of the caller's subscriptions, newest first",
      querystring: z.object({ sessionId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ deliveries: z.array(Delivery) }), ...errors },
    },
    config: limitFor(config, "reads"),
    preHandler,
  }, async (request) => {
    const rows = await push.deliveries.list({ owner: ownerOf(request), sessionId: request.query.sessionId, limit: request.query.limit });
    return { deliveries: rows.map(deliveryView) };
  });

  app.get("/api/audit/push-subscriptions", {
    schema: {
      tags: ["audit"], security, summary: "Who subscribed and unsubscribed pushes, and which a push service removed (append-only)",
      querystring: z.object({ after: z.coerce.number().int().min(0).default(0).describe("Pass the previous page's `next`"), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: { 200: z.object({ entries: z.array(AuditEntry), next: z.number().int().nullable() }), ...errors },
    },
    config: limitFor(config, "reads"),
    preHandler,
  }, async (request) => {
    const rows = await push.subscriptions.auditLog(request.query.after, request.query.limit);
    const entries = rows.map((row) => ({
      seq: Number(row.seq), at: row.at, actor: row.actor, action: row.action, subscriptionId: row.subscription_id, owner: row.owner, channel: row.channel, detail: row.detail,
    }));
    return { entries, next: entries.length === request.query.limit ? (entries.at(-1)?.seq ?? null) : null };
  });
};
