import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type Child } from "../support/childProcess.ts";
import { redisUrl } from "../support/redis.ts";
import { startPhoneHarness, type PhoneHarness } from "../runner/phoneHarness.ts";
import { cliPath } from "../runner/runnerHarness.ts";
import { createBrowserKeys } from "./browserPush.ts";
import { selfSignedCertificate, startPushService } from "./pushServices.ts";
import { pushTuning } from "./support.ts";
import { poll } from "../support/poll.ts";

/**
 * The permission push with the real Claude Code CLI: it asks (over the control protocol) to
 * write a file, the runner (a process of its own) records the request, and the notifier (a
 * process of its own, trusting the local HTTPS push service by NODE_EXTRA_CA_CERTS) pushes it
 * to a browser subscription, which decrypts it. The phone then answers from the push's ids.
 */
let h: PhoneHarness;
let notifier: Child;
let pushService: Awaited<ReturnType<typeof startPushService>>;
const tls = selfSignedCertificate();

beforeAll(async () => {
  h = await startPhoneHarness({ cliPath, runner: { PERMISSION_TIMEOUT_MS: "60000" } });
  const publicKey = String((await h.call("GET", "/push/vapid-public-key")).body.publicKey);
  pushService = await startPushService(tls, () => publicKey);
  notifier = await startChild(new URL("./notifierProcess.ts", import.meta.url), {
    ...process.env, TEST_REDIS_URL: redisUrl, REDIS_KEY_PREFIX: h.clients.prefix, TEST_SCHEMA: h.clients.schema, PARTITIONS: "4",
    NODE_EXTRA_CA_CERTS: tls.certFile, LOG_LEVEL: "silent", ...pushTuning,
  });
}, 60_000);
afterAll(async () => {
  await notifier?.stop();
  await pushService?.close();
  await h?.close();
  rmSync(tls.folder, { recursive: true, force: true });
});

describe("a permission request of the real CLI", () => {
  it("arrives as a Web Push the browser decrypts, naming the request the phone then answers", async () => {
    const keys = createBrowserKeys();
    const endpoint = pushService.subscribe("phone", keys);
    const subscribed = await h.call("POST", "/push/subscriptions", { channel: "webpush", endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth }, events: ["permission_tool"] });
    expect(subscribed.status).toBe(201);
    const { sessionId, folder } = await h.newSession();
    const sent = await h.send(sessionId, "WRITE a file");
    const pushed = await poll("the permission push", () => pushService.received.find((one) => one.payload.sessionId === sessionId), 60_000);
    expect(pushService.errors).toEqual([]);
    expect(pushed.payload).toMatchObject({ type: "permission_tool", sessionId, promptId: sent.promptId, title: "Claude wants to use Write" });
    expect(String(pushed.payload.body)).toContain(join(folder, "hello.txt"));
    expect(pushed.headers.urgency).toBe("high");
    const pending = await h.pending(sessionId);
    expect(pushed.payload.requestId).toBe(pending.requestId);
    expect((await h.decide(sessionId, String(pushed.payload.requestId), { decision: "allow" })).status).toBe(200);
    expect(await h.finished(sessionId, sent.promptId)).toMatchObject({ status: "completed" });
    // Narrowed to permission requests: the job's end sent nothing more.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(pushService.received.filter((one) => one.payload.sessionId === sessionId)).toHaveLength(1);
  }, 120_000);
});
