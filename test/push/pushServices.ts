import { execFileSync } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkVapid, type BrowserKeys } from "./browserPush.ts";

/** A self-signed certificate for 127.0.0.1, made with openssl in a temp folder: its PEM file is what NODE_EXTRA_CA_CERTS names. */
export const selfSignedCertificate = () => {
  const folder = mkdtempSync(join(tmpdir(), "ccm-push-tls-"));
  const [key, cert] = [join(folder, "key.pem"), join(folder, "cert.pem")];
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { stdio: "ignore" });
  return { folder, certFile: cert, key: readFileSync(key), cert: readFileSync(cert) };
};

/** What a stand-in answers: a status (and headers), after an optional delay. */
export type Answer = { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string; readonly delayMs?: number };
type Respond = (path: string, count: number) => Answer;

const readBody = (request: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });

const listening = async (server: ReturnType<typeof createHttpServer>) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
};

const answer = async (response: ServerResponse, reply: Answer) => {
  if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  if (!response.destroyed) response.writeHead(reply.status, reply.headers).end(reply.body ?? "");
};

/** A message the push service took, decrypted with its subscriber's keys. */
export interface PushReceived {
  readonly path: string;
  readonly at: number;
  readonly payload: Record<string, unknown>;
  readonly claims: { aud: string; exp: number; sub: string };
  readonly headers: IncomingMessage["headers"];
}

/**
 * A Web Push service over HTTPS: each subscriber is a path. It checks the VAPID header against
 * `publicKey()` and decrypts the body with the subscriber's own keys; what fails is kept in
 * `errors` (and answered 400). `respond` chooses the answer (201 by default).
 */
export const startPushService = async (tls: { key: Buffer; cert: Buffer }, publicKey: () => string) => {
  const subscribers = new Map<string, BrowserKeys>();
  const received: PushReceived[] = [];
  const errors: string[] = [];
  const counts = new Map<string, number>();
  let respond: Respond = () => ({ status: 201 });
  const server = createHttpsServer(tls, (request, response) => {
    void (async () => {
      const body = await readBody(request);
      const path = request.url ?? "";
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const reply = respond(path, count);
      if (reply.status !== 201) return answer(response, reply);
      try {
        const keys = subscribers.get(path);
        if (!keys) throw new Error(`no subscriber at ${path}`);
        if (request.headers["content-encoding"] !== "aes128gcm") throw new Error(`content-encoding ${request.headers["content-encoding"]}`);
        const claims = checkVapid(request.headers.authorization, publicKey());
        const payload = JSON.parse(keys.decrypt(body)) as Record<string, unknown>;
        received.push({ path, at: performance.timeOrigin + performance.now(), payload, claims, headers: request.headers });
        await answer(response, reply);
      } catch (error) {
        errors.push(`${path}: ${(error as Error).message}`);
        await answer(response, { status: 400 });
      }
    })();
  });
  const port = await listening(server);
  const origin = `https://127.0.0.1:${port}`;
  return {
    origin, received, errors,
    /** A subscriber: its endpoint on this service and its keys. */
    subscribe: (name: string, keys: BrowserKeys) => {
      subscribers.set(`/push/${name}`, keys);
      return `${origin}/push/${name}`;
    },
    attempts: (name: string) => counts.get(`/push/${name}`) ?? 0,
    respondWith: (next: Respond) => (respond = next),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
};

/** A webhook receiver: checks X-Signature-256 against `secret` over the raw body bytes. */
export const startWebhookReceiver = async (secret: string) => {
  const received: { path: string; payload: Record<string, unknown>; signed: boolean; signatureOk: boolean; deliveryId: string }[] = [];
  const server = createHttpServer((request, response) => {
    void readBody(request).then((body) => {
      const given = String(request.headers["x-signature-256"] ?? "");
      const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
      const signatureOk = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      received.push({
        path: request.url ?? "", payload: JSON.parse(body.toString()) as Record<string, unknown>, signed: given !== "", signatureOk,
        deliveryId: String(request.headers["x-delivery-id"] ?? ""),
      });
      response.writeHead(204).end();
    });
  });
  const port = await listening(server);
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
};

/** Expo's push API as a stand-in: tokens containing `gone` are not registered any more. */
export const startExpoStandIn = async () => {
  const received: { to: string; title: string; body: string; data: Record<string, unknown>; authorization: string | undefined }[] = [];
  const server = createHttpServer((request, response) => {
    void readBody(request).then((body) => {
      const messages = JSON.parse(body.toString()) as { to: string; title: string; body: string; data: Record<string, unknown> }[];
      const tickets = messages.map((message) => {
        if (message.to.includes("gone")) return { status: "error", message: "not registered", details: { error: "DeviceNotRegistered" } };
        received.push({ ...message, authorization: request.headers.authorization });
        return { status: "ok", id: `ticket-${received.length}` };
      });
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: tickets }));
    });
  });
  const port = await listening(server);
  return { url: `http://127.0.0.1:${port}/--/api/v2/push/send`, received, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
};
