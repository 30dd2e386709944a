import { networkInterfaces } from "node:os";
import { parseArgs } from "node:util";
import QRCode from "qrcode";
import { TokenError } from "../auth/tokens.ts";
import type { ToolContext } from "./toolContext.ts";

export const pairUsage = `usage: ccm pair [--url URL] [--name NAME]

Makes a fresh mobile-scoped token and prints it with the service's URL, as a QR code for the
phone to scan and as text: {"url": ..., "token": ...}.
  --url URL    the address the phone reaches the service at (your reverse proxy or tailnet
               name, e.g. https://laptop.tailnet.ts.net); default: HOST and PORT
  --name NAME  the token's name, the actor of what the phone does (default phone-<date>)
`;

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/** The URL of HOST:PORT as a phone would use it: a wildcard bind becomes this machine's first LAN address. */
const defaultUrl = (host: string, port: number): string => {
  const wildcard = host === "0.0.0.0" || host === "::";
  const lan = Object.values(networkInterfaces()).flat().find((address) => address?.family === "IPv4" && !address.internal)?.address;
  const shown = wildcard ? (lan ?? "127.0.0.1") : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
};

const warnings = (url: URL, context: ToolContext): string[] => [
  ...(LOOPBACK.test(url.hostname.replace(/^\[|\]$/g, "")) ? [`${url.host} is this machine's loopback address: a phone cannot reach it. Set HOST (see README, "Reaching it from a phone") or pass --url.`] : []),
  ...(url.protocol === "http:" && !url.hostname.endsWith(".ts.net") ? ["the token would travel unencrypted over plain http: put TLS in front (a reverse proxy) or use a private tunnel such as Tailscale."] : []),
  ...(context.serviceRunning ? [] : ["the service is not running: start it with `ccm start` before the phone connects."]),
];

/** `ccm pair`: 0, 1 when the token cannot be made, 2 on bad arguments. */
export const runPair = async (args: readonly string[], context: ToolContext): Promise<number> => {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: { url: { type: "string" }, name: { type: "string" } } }));
    if (values.url !== undefined) new URL(values.url);
  } catch (error) {
    context.err.write(`${(error as Error).message}\n\n${pairUsage}`);
    return 2;
  }
  const url = new URL(values.url ?? defaultUrl(context.config.HOST, context.config.PORT));
  const name = values.name ?? `phone-${new Date().toISOString().replace(/[^0-9]/g, "").slice(0, 14)}`;
  let token: string;
  try {
    ({ token } = await context.tokens.create(name, { scope: "mobile" }));
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    context.err.write(`${error.message}\n`);
    return 1;
  }
  const base = url.toString().replace(/\/$/, "");
  const payload = JSON.stringify({ url: base, token });
  context.out.write(await QRCode.toString(payload, { type: "terminal", small: true }));
  context.out.write(`\nurl:   ${base}\ntoken: ${token}\n(mobile token ${name}; revoke it with \`ccm token revoke ${name}\`)\n`);
  for (const warning of warnings(url, context)) context.err.write(`note: ${warning}\n`);
  return 0;
};
