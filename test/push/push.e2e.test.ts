import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allProjections } from "../../projections/index.ts";
import { replayProjection } from "../../src/projector/replay.ts";
import { openSse, openWs } from "../live/clients.ts";
import { testAuth } from "../support/service.ts";
import { startPushHarness, WEBHOOK_SECRET, type Body, type PushHarness } from "./support.ts";
import { poll } from "../support/poll.ts";

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

  it("fires only for events after the subscription was made: no flood of old history", async () => {
    const sessionId = await h.newSession();
    await h.runPrompt(sessionId, "before the subscription");
    await h.runPrompt(sessionId, "CRASH before the subscription");
    await h.subscribe({ channel: "webhook", url: `${h.webhook.url}/late`, sessionIds: [sessionId] });
    const after = await h.runPrompt(sessionId, "after the subscription");
    await poll("the late webhook", () => (h.webhook.received.some((one) => one.path === "/late") ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const late = h.webhook.received.filter((one) => one.path === "/late");
    expect(late.map((one) => [one.payload.type, one.payload.promptId])).toEqual([["job_completed", after]]);
    expect(late[0]?.signed).toBe(false);
  }, 60_000);

  it("a subscription narrowed to some triggers and sessions gets only those", async () => {
    const [mine, other] = [await h.newSession(), await h.newSession()];
    await h.subscribe({ channel: "webhook", url: `${h.webhook.url}/narrow`, events: ["job_failed"], sessionIds: [mine] });
    await h.runPrompt(mine, "hello");
    await h.runPrompt(other, "CRASH");
    await h.runPrompt(mine, "CRASH");
    await poll("the failure", () => (h.webhook.received.some((one) => one.path === "/narrow") ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(h.webhook.received.filter((one) => one.path === "/narrow").map((one) => [one.payload.type, one.payload.sessionId])).toEqual([["job_failed", mine]]);
  }, 60_000);

  it("410 from the push service and DeviceNotRegistered from Expo remove the subscription (gone)", async () => {
    h.pushService.respondWith((path) => (path === "/push/doomed" ? { status: 410, body: "push subscription has unsubscribed or expired" } : { status: 201 }));
    const doomed = await h.subscribeWebPush("doomed");
    const expoGone = await h.subscribe({ channel: "expo", token: "ExponentPushToken[gone-device]" });
    const sessionId = await h.newSession();
    await h.runPrompt(sessionId, "hello");
    const rows = await poll("both gone", async () => {
      const found = (await h.deliveries(`?sessionId=${sessionId}`)).filter((row) => row.subscriptionId === doomed || row.subscriptionId === expoGone);
      return found.length === 2 && found.every((row) => row.status === "gone") ? found : undefined;
    });
    expect(rows.map((row) => row.attempts)).toEqual([1, 1]);
    expect(rows.find((row) => row.channel === "expo")?.lastError).toContain("DeviceNotRegistered");
    const listed = ((await h.call("GET", "/api/claude-code/push/subscriptions")).body.subscriptions as Body[]).map((one) => one.id);
    expect(listed).not.toContain(doomed);
    expect(listed).not.toContain(expoGone);
    const audit = ((await h.call("GET", "/api/audit/push-subscriptions?limit=1000")).body.entries as Body[]).filter((entry) => entry.action === "gone");
    expect(audit.map((entry) => entry.subscriptionId).sort()).toEqual([doomed, expoGone].sort());
    // Gone for good: the next event sends it nothing.
    await h.runPrompt(sessionId, "hello again");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.pushService.attempts("doomed")).toBe(1);
    h.pushService.respondWith(() => ({ status: 201 }));
  }, 60_000);

  it("429 (honouring Retry-After) and 5xx are retried with backoff; a slow push service holds up no one else", async () => {
    const started: Record<string, number[]> = { flaky: [], slow: [] };
    h.pushService.respondWith((path, count) => {
      const name = path.slice("/push/".length);
      started[name]?.push(Date.now());
      if (name === "flaky") return count === 1 ? { status: 429, headers: { "retry-after": "1" } } : count === 2 ? { status: 503 } : { status: 201 };
      if (name === "slow") return { status: 201, delayMs: 5000 };
      return { status: 201 };
    });
    const flaky = await h.subscribeWebPush("flaky");
    const slow = await h.subscribeWebPush("slow");
    await h.subscribeWebPush("quick");
    const sessionId = await h.newSession();
    await h.runPrompt(sessionId, "hello");
    const quick = await poll("the quick one", () => h.pushService.received.find((one) => one.path === "/push/quick" && one.payload.sessionId === sessionId));
    // The slow service has not answered its first attempt yet.
    expect((await h.deliveries(`?sessionId=${sessionId}`)).find((row) => row.subscriptionId === slow)?.status).toBe("pending");
    expect(quick.at - (started.slow?.[0] ?? 0)).toBeLessThan(1500);

    const flakyRow = await poll("the flaky one sent", async () => (await h.deliveries(`?sessionId=${sessionId}`)).find((row) => row.subscriptionId === flaky && row.status === "sent"));
    expect(flakyRow.attempts).toBe(3);
    expect(h.pushService.received.filter((one) => one.path === "/push/flaky")).toHaveLength(1);
    const [first = 0, second = 0] = started.flaky ?? [];
    expect(second - first).toBeGreaterThanOrEqual(950);

    const slowRow = await poll("the slow one failed", async () => (await h.deliveries(`?sessionId=${sessionId}`)).find((row) => row.subscriptionId === slow && row.status === "failed"), 30_000);
    expect(slowRow.attempts).toBe(4);
    expect(String(slowRow.lastError)).toMatch(/timeout/i);
    h.pushService.respondWith(() => ({ status: 201 }));
  }, 60_000);

  it("a foreground client on the SSE stream or the WebSocket suppresses pushes for its session, recorded as suppressed", async () => {
    const sessionId = await h.newSession();
    const subscription = await h.subscribe({ channel: "webhook", url: `${h.webhook.url}/fg`, sessionIds: [sessionId] });
    const statuses = async () => (await h.deliveries(`?sessionId=${sessionId}`)).filter((row) => row.subscriptionId === subscription).map((row) => row.status);

    const sse = await openSse(`${h.url}/api/claude-code/sessions/${sessionId}/stream?foreground=1`, testAuth);
    await sse.waitFor((received) => received.some((item) => item.kind === "snapshot"));
    await h.runPrompt(sessionId, "hello while looking");
    await poll("suppressed", async () => ((await statuses()).includes("suppressed") ? true : undefined));
    sse.close();
    await sse.closed;
    await new Promise((resolve) => setTimeout(resolve, 200));
    await h.runPrompt(sessionId, "hello after leaving");
    await poll("sent", async () => ((await statuses()).includes("sent") ? true : undefined));

    // A stream without ?foreground=1 proves nothing.
    const background = await openSse(`${h.url}/api/claude-code/sessions/${sessionId}/stream`, testAuth);
    await background.waitFor((received) => received.some((item) => item.kind === "snapshot"));
    await h.runPrompt(sessionId, "hello with a stream in the background");
    await poll("two sent", async () => ((await statuses()).filter((status) => status === "sent").length === 2 ? true : undefined));
    background.close();

    const ws = await openWs(`${h.url.replace("http", "ws")}/api/claude-code/sessions/${sessionId}/ws?after=0`, { headers: testAuth });
    await ws.waitFor((received) => received.some((item) => item.kind === "snapshot"));
    ws.socket.send(JSON.stringify({ foreground: true }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await h.runPrompt(sessionId, "hello on the websocket");
    await poll("two suppressed", async () => ((await statuses()).filter((status) => status === "suppressed").length === 2 ? true : undefined));
    ws.socket.send(JSON.stringify({ foreground: false }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await h.runPrompt(sessionId, "hello in the background");
    await poll("three sent", async () => ((await statuses()).filter((status) => status === "sent").length === 3 ? true : undefined));
    ws.close();
    expect(h.webhook.received.filter((one) => one.path === "/fg")).toHaveLength(3);
  }, 90_000);

  it("a restart, a second notifier process and a redelivery of the whole log send nothing twice; a replay of projections sends nothing", async () => {
    const second = await h.startNotifier();
    await h.subscribeWebPush("once");
    await h.subscribe({ channel: "webhook", url: `${h.webhook.url}/once` });
    const sessionId = await h.newSession();
    for (const prompt of ["one", "CRASH two", "three", "four"]) await h.runPrompt(sessionId, prompt);
    const receipts = () => ({
      push: h.pushService.received.filter((one) => one.path === "/push/once").length,
      hooks: h.webhook.received.filter((one) => one.path === "/once").length,
    });
    await poll("four of each", () => (receipts().push === 4 && receipts().hooks === 4 ? true : undefined));

    // Both notifiers die; the group is rewound so every entry of the log is delivered again.
    await notifier.stop("SIGKILL");
    await second.stop("SIGKILL");
    for (let partition = 0; partition < 4; partition += 1) {
      await h.clients.redis.xgroup("SETID", `${h.clients.prefix}{p${partition}}:log`, "notifier", "0");
    }
    notifier = await h.startNotifier();
    const replayed = await h.startNotifier();
    for (const projection of allProjections) {
      await replayProjection({ db: h.clients.db, store: h.api.store, projection, source: "redis", dryRun: false, logger: h.clients.logger });
    }
    await h.runPrompt(sessionId, "five");
    await poll("the fifth", () => (receipts().push === 5 && receipts().hooks === 5 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receipts()).toEqual({ push: 5, hooks: 5 });
    expect(new Set(h.webhook.received.filter((one) => one.path === "/once").map((one) => one.deliveryId)).size).toBe(5);
    await replayed.stop();
  }, 90_000);

  it("a delivery whose notifier dies mid-request is taken over once its lease lapses, with the same Topic", async () => {
    h.pushService.respondWith((path, count) => (path === "/push/orphan" && count === 1 ? { status: 201, delayMs: 60_000 } : { status: 201 }));
    const orphan = await h.subscribeWebPush("orphan");
    const sessionId = await h.newSession();
    await h.runPrompt(sessionId, "hello");
    await poll("the first attempt", () => (h.pushService.attempts("orphan") === 1 ? true : undefined));
    // Every notifier dies while the push service still holds the request.
    await notifier.stop("SIGKILL");
    notifier = await h.startNotifier();
    const row = await poll("the delivery sent by another notifier", async () =>
      (await h.deliveries(`?sessionId=${sessionId}`)).find((one) => one.subscriptionId === orphan && one.status === "sent"), 30_000);
    expect(row.attempts).toBe(2);
    // The only repeat the claims allow: the push service saw the request the dead notifier made,
    // and its Topic lets it replace that one with the second.
    const seen = h.pushService.received.filter((one) => one.path === "/push/orphan");
    expect(seen).toHaveLength(2);
    expect(seen[0]?.headers.topic).toBe(seen[1]?.headers.topic);
    h.pushService.respondWith(() => ({ status: 201 }));
  }, 60_000);
});
