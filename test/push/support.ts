import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startChild, type Child } from "../support/childProcess.ts";
import { poll } from "../support/poll.ts";
import { redisUrl } from "../support/redis.ts";
import { assembleTest, createTestClients, listen, testAuth, type TestClients, type TestService } from "../support/service.ts";
import { fakeCliPath } from "../runner/runnerHarness.ts";
import { createBrowserKeys } from "./browserPush.ts";
import { selfSignedCertificate, startExpoStandIn, startPushService, startWebhookReceiver } from "./pushServices.ts";

export type Body = Record<string, unknown>;
export const WEBHOOK_SECRET = "a-webhook-secret-of-the-test";

/** Short retries and timeouts, so the tests see them play out. */
export const pushTuning = {
  PUSH_TIMEOUT_MS: "1500", PUSH_MAX_ATTEMPTS: "4", PUSH_RETRY_BASE_MS: "200", PUSH_RETRY_MAX_MS: "1500", PUSH_FOREGROUND_TTL_MS: "3000",
};

/**
 * A deployment with pushes, as a phone meets it: the api, projector and runner (the fake CLI)
 * in this process; notifiers in processes of their own that trust the local HTTPS push service
 * through NODE_EXTRA_CA_CERTS; a webhook receiver and an Expo stand-in.
 */
export const startPushHarness = async () => {
  const tls = selfSignedCertificate();
  const expo = await startExpoStandIn();
  const webhook = await startWebhookReceiver(WEBHOOK_SECRET);
  const clients: TestClients = await createTestClients({ partitions: 4 });
  const config = { CLAUDE_CODE_PATH: fakeCliPath, EXPO_PUSH_URL: expo.url, EXPO_ACCESS_TOKEN: "expo-access-token", READ_WAIT_MS: "5000", ...pushTuning };
  const api: TestService = await assembleTest(clients, { roles: ["api", "projector", "runner"], env: process.env, runner: { pollMs: 100 }, config });
  const { url } = await listen(api.app);

  const call = async (method: string, route: string, body?: unknown, headers: Record<string, string> = testAuth): Promise<{ status: number; body: Body }> => {
    const response = await fetch(`${url}${route}`, {
      method, headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as Body };
  };
  const publicKey = String((await call("GET", "/api/claude-code/push/vapid-public-key")).body.publicKey);
  const pushService = await startPushService(tls, () => publicKey);

  const notifierEnv = {
    ...process.env, TEST_REDIS_URL: redisUrl, REDIS_KEY_PREFIX: clients.prefix, TEST_SCHEMA: clients.schema, PARTITIONS: "4",
    DATA_DIR: mkdtempSync(join(clients.scratch, "notifier-")), NODE_EXTRA_CA_CERTS: tls.certFile, LOG_LEVEL: "silent", ...config,
  };
  const notifiers = new Set<Child>();
  const startNotifier = async () => {
    const child = await startChild(new URL("./notifierProcess.ts", import.meta.url), notifierEnv);
    notifiers.add(child);
    return { stop: async (signal?: NodeJS.Signals) => { await child.stop(signal); notifiers.delete(child); } };
  };

  const newSession = async () => {
    const created = await call("POST", "/api/claude-code/sessions", { folderName: "alpha" });
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    return String(created.body.id);
  };
  /** Sends a prompt and waits until its job has ended (the fake CLI: CRASH fails, ASK 1 asks for a Write). */
  const runPrompt = async (sessionId: string, prompt: string, answer?: Body) => {
    const sent = await call("POST", `/api/claude-code/sessions/${sessionId}/prompts`, { prompt });
    if (sent.status !== 202) throw new Error(JSON.stringify(sent.body));
    const promptId = String(sent.body.promptId);
    if (answer) {
      const pending = await poll("a permission request", async () =>
        ((await call("GET", `/api/claude-code/sessions/${sessionId}/permissions`)).body.permissions as Body[] | undefined)?.find((one) => one.status === "pending"));
      await call("POST", `/api/claude-code/sessions/${sessionId}/permissions/${String(pending.requestId)}`, answer);
    }
    await poll("the prompt to end", async () => {
      const prompt = (await call("GET", `/api/claude-code/sessions/${sessionId}/prompts/${promptId}`)).body;
      return ["completed", "failed", "cancelled"].includes(String(prompt.status)) ? prompt : undefined;
    }, 30_000);
    return promptId;
  };
  const subscribe = async (body: Body, headers?: Record<string, string>) => {
    const created = await call("POST", "/api/claude-code/push/subscriptions", body, headers);
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    return String(created.body.id);
  };
  const subscribeWebPush = async (name: string, extra: Body = {}) => {
    const keys = createBrowserKeys();
    const endpoint = pushService.subscribe(name, keys);
    return subscribe({ channel: "webpush", endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth }, ...extra });
  };
  const deliveries = async (query = "") => ((await call("GET", `/api/claude-code/push/deliveries${query}`)).body.deliveries ?? []) as Body[];

  return {
    clients, api, url, call, publicKey, pushService, webhook, expo, tls, startNotifier, newSession, runPrompt, subscribe, subscribeWebPush, deliveries,
    close: async () => {
      for (const child of notifiers) await child.stop();
      await api.stop();
      await Promise.all([pushService.close(), webhook.close(), expo.close()]);
      await clients.close();
      rmSync(tls.folder, { recursive: true, force: true });
    },
  };
};

export type PushHarness = Awaited<ReturnType<typeof startPushHarness>>;
