import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A mock of the Anthropic Messages API for running the real Claude Code CLI offline
 * (claude-code-formats.md §7). Keywords in the latest user text choose the reply, like the
 * fixtures: TOOL → a Bash `echo` tool_use (stop_reason tool_use), then a text reply once the
 * tool_result comes back; WRITE → the same with Write `hello.txt` (or the `name.txt` named right
 * after WRITE) in the working directory (a tool that needs permission); ASK → AskUserQuestion
 * ("Which color?", Red or Blue); PLAN → ExitPlanMode with a short plan; NAP → Bash `sleep 3`
 * (a tool boundary to steer into); FAIL529 → 529 overloaded; SLOW → a text reply streamed slowly
 * (for cancellation); anything else → a short text reply naming how many messages it received,
 * so a test can see that a resumed turn carried the earlier conversation. A reply to a
 * tool_result quotes the result and every text the same user message carried (a steering prompt
 * folded into the turn arrives that way).
 */
export type MockRequest = { readonly url: string; readonly body: MockBody; readonly lastUserText: string };
type MockBody = { messages?: { role: string; content: unknown }[]; model?: string; stream?: boolean; system?: unknown };

export type MockAnthropic = {
  readonly url: string;
  readonly requests: MockRequest[];
  /** Streams still open (SLOW replies cut off by a cancel end here). */
  readonly openStreams: () => number;
  readonly close: () => Promise<void>;
};

const sse = (res: ServerResponse, event: string, data: unknown) => {
  if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
};

const blocksOf = (content: unknown): Record<string, unknown>[] =>
  typeof content === "string"
    ? [{ type: "text", text: content }]
    : Array.isArray(content)
      ? content.filter((b): b is Record<string, unknown> => typeof b === "object" && b !== null)
      : [];

const lastUser = (body: MockBody) => [...(body.messages ?? [])].reverse().find((m) => m.role === "user");

/** The text of every message after the model's last reply (2.1 sends a prompt steered mid-turn as a system message there). */
const textSinceReply = (body: MockBody): string => {
  const messages = body.messages ?? [];
  const lastReply = messages.map((message) => message.role).lastIndexOf("assistant");
  return messages.slice(lastReply + 1).map((message) => textOf(blocksOf(message.content))).filter((text) => text !== "").join("\n");
};

const textOf = (blocks: Record<string, unknown>[]) =>
  blocks.filter((b) => b.type === "text").map((b) => String(b.text)).join("\n");

const toolResultText = (blocks: Record<string, unknown>[]): string | null => {
  const result = blocks.find((b) => b.type === "tool_result");
  if (result === undefined) return null;
  return typeof result.content === "string" ? result.content : textOf(blocksOf(result.content));
};

const usage = (output = 1) => ({ input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output });

const start = (res: ServerResponse, model: string) => {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": `req_${randomUUID()}` });
  const message = { id: `msg_mock${randomUUID().replaceAll("-", "").slice(0, 16)}`, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: usage() };
  sse(res, "message_start", { type: "message_start", message });
  sse(res, "ping", { type: "ping" });
};

const finish = (res: ServerResponse, stopReason: string, outputTokens: number) => {
  sse(res, "message_delta", { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
  sse(res, "message_stop", { type: "message_stop" });
  res.end();
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const streamText = async (res: ServerResponse, index: number, chunks: readonly string[], delayMs: number) => {
  sse(res, "content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
  for (const text of chunks) {
    if (res.writableEnded || res.destroyed) return;
    sse(res, "content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text } });
    if (delayMs > 0) await sleep(delayMs);
  }
  sse(res, "content_block_stop", { type: "content_block_stop", index });
};

const replyToolUse = async (res: ServerResponse, model: string, name = "Bash", input: Record<string, unknown> = BASH_ECHO) => {
  start(res, model);
  await streamText(res, 0, ["I will run", " a command."], 0);
  const id = `toolu_mock${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  sse(res, "content_block_start", { type: "content_block_start", index: 1, content_block: { type: "tool_use", id, name, input: {} } });
  const json = JSON.stringify(input);
  for (const partial_json of [json.slice(0, 20), json.slice(20)]) {
    sse(res, "content_block_delta", { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json } });
  }
  sse(res, "content_block_stop", { type: "content_block_stop", index: 1 });
  finish(res, "tool_use", 40);
};

const BASH_ECHO = { command: "echo hello-from-mock-tool", description: "Print a greeting" };

const ASK_COLOR = {
  questions: [{
    question: "Which color?", header: "Color", multiSelect: false,
    options: [{ label: "Red", description: "Warm" }, { label: "Blue", description: "Cool" }],
  }],
};

/** The CLI states its working directory (2.0: in the system prompt; 2.1: in a system message); Write needs an absolute path. */
const workingDirectory = (body: MockBody): string =>
  /[Ww]orking directory: ([^\s"\\]+)/.exec(JSON.stringify([body.system ?? "", body.messages ?? []]))?.[1] ?? "/tmp";

const replyText = async (res: ServerResponse, model: string, text: string, delayMs = 0) => {
  start(res, model);
  const chunks = text.match(/.{1,12}/gs) ?? [text];
  await streamText(res, 0, chunks, delayMs);
  finish(res, "end_turn", 20);
};

const readBody = async (req: IncomingMessage): Promise<string> => {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
};

export type MockOptions = { readonly slowChunkMs?: number; readonly slowChunks?: number };

export const startMockAnthropic = async (options: MockOptions = {}): Promise<MockAnthropic> => {
  const requests: MockRequest[] = [];
  let open = 0;
  const messages = async (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.parse((await readBody(req)) || "{}") as MockBody;
    const blocks = blocksOf(lastUser(body)?.content);
    const lastUserText = textOf(blocks);
    requests.push({ url: req.url ?? "", body, lastUserText });
    const model = body.model ?? "claude-mock";
    const toolOutput = toolResultText(blocks);
    if (toolOutput !== null) {
      const said = textSinceReply(body);
      const alongside = said === "" ? "" : ` You also said: ${said}.`;
      return replyText(res, model, `The tool returned: ${toolOutput}.${alongside} All done.`);
    }
    if (lastUserText.includes("FAIL529")) {
      res.writeHead(529, { "content-type": "application/json" });
      return res.end(JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }));
    }
    if (lastUserText.includes("TOOL")) return replyToolUse(res, model);
    if (lastUserText.includes("WRITE")) {
      const name = /WRITE (\w+\.txt)/.exec(lastUserText)?.[1] ?? "hello.txt";
      return replyToolUse(res, model, "Write", { file_path: `${workingDirectory(body)}/${name}`, content: "hello world\n" });
    }
    if (lastUserText.includes("ASK")) return replyToolUse(res, model, "AskUserQuestion", ASK_COLOR);
    if (lastUserText.includes("PLAN")) return replyToolUse(res, model, "ExitPlanMode", { plan: "1. Add a README section\n2. Run the tests" });
    if (lastUserText.includes("NAP")) return replyToolUse(res, model, "Bash", { command: "sleep 3 && echo rested", description: "Take a nap" });
    if (lastUserText.includes("SLOW")) {
      const chunks = Array.from({ length: options.slowChunks ?? 600 }, (_, i) => `slow ${i} `).join("");
      return replyText(res, model, chunks, options.slowChunkMs ?? 100);
    }
    return replyText(res, model, `Hello from the mock model (${body.messages?.length ?? 0} messages).`);
  };
  const server = createServer((req, res) => {
    open += 1;
    res.on("close", () => (open -= 1));
    const path = (req.url ?? "").split("?")[0];
    const handle = async () => {
      if (req.method === "POST" && path === "/v1/messages") return messages(req, res);
      if (req.method === "POST" && path === "/v1/messages/count_tokens") {
        await readBody(req);
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ input_tokens: 100 }));
      }
      // Auxiliary calls (telemetry, feature flags, ...) get an empty success, never a hang.
      await readBody(req);
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    };
    handle().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openStreams: () => open,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
