import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poll, startPushHarness, WEBHOOK_SECRET, type Body, type PushHarness } from "./support.ts";

/**
 * Pushes end to end: the runner runs the fake CLI, the notifier (processes of their own)
 * delivers to a local HTTPS Web Push service that decrypts every message with its subscriber's
 * keys and checks the VAPID JWT, to a webhook receiver that checks the HMAC, and to an Expo
 * stand-in.
 */
let h: PushHarness;
let notifier: Awaited<ReturnType<PushHarness["startNotifier"]>>;
beforeAll(async () => {
  h = await startPushHarness();
  notifier = await h.startNotifier();
}, 60_000);
afterAll(async () => h?.close());

/** By type, the first of each (the asking job completes too). */
const byType = (payloads: readonly Body[], sessionId: string) =>
  Object.fromEntries(payloads.filter((payload) => payload.sessionId === sessionId).reverse().map((payload) => [payload.type, payload]));

describe("push notifications and webhooks", () => {
  it("a finished job, a failed job and a permission request arrive on every channel", async () => {
    await h.subscribeWebPush("all");
    await h.subscribe({ channel: "webhook", url: `${h.webhook.url}/all`, secret: WEBHOOK_SECRET });
    await h.subscribe({ channel: "expo", token: "ExponentPushToken[device-all]" });
    const sessionId = await h.newSession();
    const completed = await h.runPrompt(sessionId, "hello there");
    const failed = await h.runPrompt(sessionId, "CRASH please");
    const asked = await h.runPrompt(sessionId, "ASK 1", { decision: "allow" });

    // Four: the job that asked completes too.
    const pushed = await poll("four web pushes", () => {
      const got = h.pushService.received.filter((one) => one.path === "/push/all" && one.payload.sessionId === sessionId);
      return got.length >= 4 ? got : undefined;
    });
    expect(h.pushService.errors).toEqual([]);
    const payloads = byType(pushed.map((one) => one.payload), sessionId);
    expect(payloads.job_completed).toMatchObject({ sessionId, promptId: completed, title: "Claude finished" });
    expect(payloads.job_failed).toMatchObject({ sessionId, promptId: failed, title: "Claude's job failed" });
    expect(String(payloads.job_failed?.body)).toMatch(/^process_exit|exit/);
    expect(payloads.permission_tool).toMatchObject({ sessionId, promptId: asked, requestId: expect.any(String), title: "Claude wants to use Write" });
    for (const one of pushed) {
      expect(one.claims.aud).toBe(h.pushService.origin);
      expect(one.claims.exp).toBeGreaterThan(Date.now() / 1000);
      expect(one.claims.exp).toBeLessThanOrEqual(Date.now() / 1000 + 24 * 3600);
      expect(JSON.stringify(one.payload).length).toBeLessThan(4096);
    }

    const hooks = await poll("four webhooks", () => {
      const got = h.webhook.received.filter((one) => one.path === "/all" && one.payload.sessionId === sessionId);
      return got.length >= 4 ? got : undefined;
    });
    expect(hooks.every((one) => one.signed && one.signatureOk)).toBe(true);
    expect(Object.keys(byType(hooks.map((one) => one.payload), sessionId)).sort()).toEqual(["job_completed", "job_failed", "permission_tool"]);

    const expo = await poll("four Expo pushes", () => {
      const got = h.expo.received.filter((one) => one.data.sessionId === sessionId);
      return got.length >= 4 ? got : undefined;
    });
    expect(expo.every((one) => one.to === "ExponentPushToken[device-all]" && one.authorization === "Bearer expo-access-token")).toBe(true);
    expect(expo.find((one) => one.data.type === "job_completed")).toMatchObject({ title: "Claude finished" });

    const deliveries = await poll("twelve deliveries sent", async () => {
      const rows = await h.deliveries(`?sessionId=${sessionId}`);
      return rows.filter((row) => row.status === "sent").length === 12 ? rows : undefined;
    });
    expect(new Set(deliveries.map((row) => row.channel))).toEqual(new Set(["webpush", "webhook", "expo"]));
    expect(deliveries.every((row) => row.attempts === 1 && row.lastError === null)).toBe(true);
  }, 90_000);
});
