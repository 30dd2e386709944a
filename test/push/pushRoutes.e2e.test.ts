import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeConfig } from "../../src/config.ts";
import { loadVapidKeys } from "../../src/push/vapidKeys.ts";
import { createTestApp, PROBLEM_TYPE, type TestApp } from "../http/support.ts";
import { assembleTest } from "../support/service.ts";
import { createBrowserKeys } from "./browserPush.ts";
import { pushTuning } from "./support.ts";
import { poll } from "../support/poll.ts";

/**
 * The push routes over the production app (inject): validation, ownership, secrets never shown,
 * the auditors' record; the VAPID pair every process agrees on; the notifier's metrics.
 */
let t: TestApp;
let mobile: Record<string, string>;
let other: Record<string, string>;
let auditor: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp(pushTuning);
  const bearer = async (name: string, scope: "mobile" | "auditor") => ({ authorization: `Bearer ${(await t.tokens.create(name, { scope })).token}` });
  [mobile, other, auditor] = [await bearer("phone-a", "mobile"), await bearer("phone-b", "mobile"), await bearer("auditor-1", "auditor")];
});
afterAll(async () => t.close());

const base = "/api/claude-code/push";
const keys = createBrowserKeys();
const webpush = { channel: "webpush", endpoint: "https://push.example.com/send/abc", keys: { p256dh: keys.p256dh, auth: keys.auth } };
const subscribe = (payload: object, headers = mobile) => t.app.inject({ method: "POST", url: `${base}/subscriptions`, headers, payload });

describe("push routes", () => {
  it("validates subscriptions: https endpoints, real keys, http(s) webhooks, Expo tokens, bounded lengths", async () => {
    const refused = [
      { ...webpush, endpoint: "http://push.example.com/send/abc" },
      { ...webpush, keys: { p256dh: "short", auth: keys.auth } },
      { ...webpush, keys: { p256dh: keys.p256dh, auth: Buffer.alloc(15).toString("base64url") } },
      { ...webpush, endpoint: `https://push.example.com/${"a".repeat(2100)}` },
      { channel: "webhook", url: "ftp://example.com/hook" },
      { channel: "webhook", url: "https://example.com/hook", secret: "short" },
      { channel: "expo", token: "not-a-token" },
      { channel: "sms", to: "+1555" },
      { ...webpush, events: ["job_exploded"] },
      { ...webpush, sessionIds: ["not-a-uuid"] },
    ];
    for (const payload of refused) {
      const response = await subscribe(payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 100)).toBe(400);
      expect(response.headers["content-type"]).toBe(PROBLEM_TYPE);
      expect(response.json().code).toBe("validation_failed");
    }
  });

  it("belongs to the token that made it; secrets are never echoed; an admin sees and removes any; subscribing and unsubscribing are audited", async () => {
    const made = await subscribe({ channel: "webhook", url: "https://example.com/hook", secret: "s3cret-s3cret-s3cret", events: ["job_failed"] });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({ channel: "webhook", owner: "phone-a", url: "https://example.com/hook", hasSecret: true, events: ["job_failed"], sessionIds: null });
    expect(made.body).not.toContain("s3cret");
    const push = await subscribe(webpush, other);
    expect(push.body).not.toContain(keys.auth);
    expect(push.body).not.toContain(keys.p256dh);
    const expo = (await subscribe({ channel: "expo", token: "ExponentPushToken[abcdefghijklmnop]" }, other)).json();
    expect(expo.token).toBe("ExponentPushToken[abcd…mnop]");

    const list = async (headers: Record<string, string>) => ((await t.app.inject({ method: "GET", url: `${base}/subscriptions`, headers })).json().subscriptions as { id: string }[]).map((one) => one.id);
    expect(await list(mobile)).toEqual([made.json().id]);
    expect((await list(other)).sort()).toEqual([push.json().id, expo.id].sort());
    expect((await list(t.auth)).length).toBeGreaterThanOrEqual(3);

    const notMine = await t.app.inject({ method: "DELETE", url: `${base}/subscriptions/${push.json().id}`, headers: mobile });
    expect(notMine.statusCode).toBe(404);
    expect(notMine.headers["content-type"]).toBe(PROBLEM_TYPE);
    expect(notMine.json().code).toBe("push_subscription_not_found");
    expect((await t.app.inject({ method: "DELETE", url: `${base}/subscriptions/${made.json().id}`, headers: mobile })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "DELETE", url: `${base}/subscriptions/${made.json().id}`, headers: mobile })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "DELETE", url: `${base}/subscriptions/${push.json().id}`, headers: t.auth })).statusCode).toBe(200);
    expect(await list(other)).toEqual([expo.id]);

    expect((await t.app.inject({ method: "GET", url: "/api/audit/push-subscriptions", headers: mobile })).statusCode).toBe(403);
    const audit = (await t.app.inject({ method: "GET", url: "/api/audit/push-subscriptions?limit=1000", headers: auditor })).json();
    const entries = (audit.entries as { actor: string; action: string; subscriptionId: string; owner: string; detail: unknown }[]);
    expect(entries.filter((entry) => entry.subscriptionId === made.json().id).map((entry) => [entry.action, entry.actor])).toEqual([["subscribed", "phone-a"], ["unsubscribed", "phone-a"]]);
    expect(entries.filter((entry) => entry.subscriptionId === push.json().id).map((entry) => [entry.action, entry.actor, entry.owner])).toEqual([["subscribed", "phone-b", "phone-b"], ["unsubscribed", "env", "phone-b"]]);
    expect(JSON.stringify(entries)).not.toContain("s3cret");
    // Append-only: the database refuses to change the record.
    await expect(t.db.deleteFrom("push_subscription_audit" as never).execute()).rejects.toThrow(/append-only/);
  });

  it("subscribing again to the same destination replaces the token's earlier subscription, even at once", async () => {
    const endpoint = "https://push.example.com/send/again";
    const first = (await subscribe({ ...webpush, endpoint })).json().id as string;
    const again = await Promise.all([subscribe({ ...webpush, endpoint, events: ["job_failed"] }), subscribe({ ...webpush, endpoint, events: ["job_failed"] })]);
    expect(again.map((response) => response.statusCode)).toEqual([201, 201]);
    const mine = ((await t.app.inject({ method: "GET", url: `${base}/subscriptions`, headers: mobile })).json().subscriptions as { id: string; endpoint?: string; events: string[] }[])
      .filter((one) => one.endpoint === endpoint);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.id).not.toBe(first);
    expect(mine[0]?.events).toEqual(["job_failed"]);
    // Another token's subscription to the same endpoint is its own.
    expect((await subscribe({ ...webpush, endpoint }, other)).statusCode).toBe(201);
    await t.app.inject({ method: "DELETE", url: `${base}/subscriptions/${mine[0]?.id}`, headers: mobile });
  });

  it("refuses without a token; an auditor may not subscribe", async () => {
    expect((await t.app.inject({ method: "GET", url: `${base}/vapid-public-key` })).statusCode).toBe(401);
    expect((await t.app.inject({ method: "GET", url: `${base}/deliveries` })).statusCode).toBe(401);
    expect((await subscribe(webpush, auditor)).statusCode).toBe(403);
  });

  it("one VAPID key pair per deployment: every process gets the same; the private key is never shown", async () => {
    const key = (await t.app.inject({ method: "GET", url: `${base}/vapid-public-key`, headers: mobile })).json().publicKey as string;
    expect(Buffer.from(key, "base64url")).toHaveLength(65);
    const loaded = await Promise.all(Array.from({ length: 5 }, () => loadVapidKeys({ redis: t.redis, prefix: t.prefix, subject: "mailto:a@b.c", configured: undefined })));
    expect(new Set(loaded.map((pair) => pair.publicKey))).toEqual(new Set([key]));
    const privateKey = loaded[0]?.privateKey ?? "";
    const shown = JSON.stringify(describeConfig(t.clients.configFor({ VAPID_PUBLIC_KEY: key, VAPID_PRIVATE_KEY: privateKey })));
    expect(shown).not.toContain(privateKey);
    expect(shown).toContain(key);
    const openapi = await t.app.inject({ method: "GET", url: "/docs/json" });
    expect(openapi.body).not.toContain(privateKey);
    expect(() => t.clients.configFor({ VAPID_PUBLIC_KEY: key })).toThrow(/VAPID_PRIVATE_KEY/);
  });

  it("counts deliveries by channel and outcome and times them", async () => {
    const server = createServer((request, response) => {
      request.resume();
      request.on("end", () => (request.url === "/gone" ? response.writeHead(410).end("internal-secret-data") : response.writeHead(204).end()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Only this test's subscriptions (no Expo pushes to the real service).
    for (const { id } of (await t.app.inject({ method: "GET", url: `${base}/subscriptions`, headers: t.auth })).json().subscriptions as { id: string }[]) {
      await t.app.inject({ method: "DELETE", url: `${base}/subscriptions/${id}`, headers: t.auth });
    }
    const notifier = await assembleTest(t.clients, { roles: ["notifier"], notifier: { pollMs: 100, blockMs: 200 }, logger: pino({ level: "silent" }), config: pushTuning });
    try {
      await subscribe({ channel: "webhook", url: `${url}/ok` });
      await subscribe({ channel: "webhook", url: `${url}/gone` });
      const sessionId = (await t.app.inject({ method: "POST", url: "/api/claude-code/sessions", headers: t.auth, payload: { folderName: "alpha" } })).json().id as string;
      const promptId = (await t.app.inject({ method: "POST", url: `/api/claude-code/sessions/${sessionId}/prompts`, headers: t.auth, payload: { prompt: "hi" } })).json().promptId as string;
      const jobId = crypto.randomUUID();
      const meta = { actor: "runner", correlationId: "c", causationId: null, requestId: null };
      await t.commands.execute(sessionId, { type: "StartJob", data: { jobId, promptId, runnerId: "r", leaseMs: 30_000, machineId: t.config.MACHINE_ID } }, { meta });
      await t.commands.execute(sessionId, { type: "FailJob", data: { jobId, reason: "process_exit", message: "exit 3" } }, { meta });
      const text = await poll("the metrics", async () => {
        const metrics = await notifier.metrics.registry.metrics();
        return /ccm_push_deliveries_total\{channel="webhook",outcome="gone"\} 1/.test(metrics) && /ccm_push_deliveries_total\{channel="webhook",outcome="sent"\} 1/.test(metrics) ? metrics : undefined;
      });
      expect(text).toMatch(/ccm_push_delivery_seconds_count\{channel="webhook"\} 1/);
      const deliveries = (await t.app.inject({ method: "GET", url: `${base}/deliveries?sessionId=${sessionId}`, headers: mobile })).json().deliveries as { trigger: string; status: string; promptId: string }[];
      expect(deliveries.map((row) => [row.trigger, row.status, row.promptId]).sort()).toEqual([["job_failed", "gone", promptId], ["job_failed", "sent", promptId]]);
      // What a webhook's host answers is not the subscriber's to read.
      expect(JSON.stringify(deliveries)).not.toContain("internal-secret-data");
      expect(JSON.stringify(deliveries)).toContain("HTTP 410");
      expect((await t.app.inject({ method: "GET", url: `${base}/deliveries?sessionId=${sessionId}`, headers: other })).json().deliveries).toEqual([]);
    } finally {
      await notifier.stop();
      server.close();
    }
  });
});
