#!/usr/bin/env node
// A stand-in for the Claude Code CLI in runner tests and the bench: reads the stream-json
// prompt from stdin and prints stream-json chosen by a keyword in it. Plain JS so it starts fast.
//   HANG       init, then nothing until stdin closes (a job whose runner may die)
//   BIG        a line over any sane limit and a user line with a large tool result
//   CRASH      init, some stderr, exit 3 without a result
//   BENCH <n>  n assistant lines carrying `ts` (epoch ms, sub-ms precision) 2 ms apart
//   ENV        the names of its environment variables as the assistant text
//   PARTIAL    a few stream_event deltas before the text
//   PWD        its real working folder (the kernel's /proc/self/cwd) as `cwd:<path>` text and result
//   STREAM <r> assistant lines at r per second until it is killed (a job that streams output)
//   ASK <n>    n Write approvals one after the other: each control_request carries `ts` in its
//              input; the control_response's arrival is printed as "answered <id> at <ts>"
//   otherwise  init, one assistant text, result
// `--version` prints a version and exits, as the real CLI does.
// Like the real CLI it answers an `interrupt` control request on stdin: the turn ends with an
// error_during_execution result, and it exits once stdin closes.
import { randomUUID } from "node:crypto";
import { readlinkSync } from "node:fs";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { setTimeout } from "node:timers";

const args = process.argv.slice(2);
// What a runner asks once at start to publish its machine's CLI version.
if (args.includes("--version")) {
  process.stdout.write("0.0.0-fake (Claude Code)\n");
  process.exit(0);
}
const resume = args.includes("--resume") ? args[args.indexOf("--resume") + 1] : undefined;
const sessionId = resume ?? randomUUID();
const now = () => performance.timeOrigin + performance.now();
const out = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const assistant = (text, extra = {}) => ({ type: "assistant", message: { id: "msg_fake", type: "message", role: "assistant", model: "fake", content: [{ type: "text", text }], usage: { input_tokens: 1, output_tokens: 1 } }, parent_tool_use_id: null, session_id: sessionId, uuid: randomUUID(), ...extra });
const result = (text) => ({ type: "result", subtype: "success", is_error: false, duration_ms: 5, num_turns: 1, result: text, session_id: sessionId, total_cost_usd: 0.001, usage: { input_tokens: 1, output_tokens: 1 } });
let stdinClosed = false;
const closed = new Promise((resolve) => process.stdin.on("end", () => { stdinClosed = true; resolve(); }));
let interrupted = false;
/** Waiters for the control_response to a request we printed, by request id. */
const answers = new Map();
let interrupt = () => {};
/** The turn is over: stdin closed, or an interrupt came. */
const stopped = new Promise((resolve) => { interrupt = resolve; closed.then(resolve); });

const modes = {
  HANG: async () => { await stopped; },
  ENV: async () => { out(assistant(JSON.stringify(Object.keys(process.env).sort()))); out(result("env")); },
  PWD: async () => {
    const text = `cwd:${readlinkSync("/proc/self/cwd")}`;
    out(assistant(text));
    out(result(text));
  },
  CRASH: async () => { process.stderr.write("fake failure: something broke\n"); process.exit(3); },
  BIG: async () => {
    out({ type: "assistant", message: { content: [{ type: "text", text: "x".repeat(3 * 1024 * 1024) }] }, session_id: sessionId });
    out({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "y".repeat(200 * 1024) }] }, session_id: sessionId, tool_use_result: { stdout: "y".repeat(200 * 1024) } });
    out(result("big done"));
  },
  PARTIAL: async () => {
    for (const text of ["Hel", "lo"]) out({ type: "stream_event", event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }, session_id: sessionId });
    out(assistant("Hello"));
    out(result("Hello"));
  },
  STREAM: async (prompt) => {
    const rate = Number(/STREAM (\d+)/.exec(prompt)?.[1] ?? 100);
    for (let i = 0; !stdinClosed && !interrupted; i += 1) {
      out(assistant(`line ${i}`, { ts: now() }));
      await sleep(1000 / rate);
    }
  },
  ASK: async (prompt) => {
    const count = Number(/ASK (\d+)/.exec(prompt)?.[1] ?? 10);
    for (let i = 0; i < count && !interrupted; i += 1) {
      const requestId = `ask-${i}`;
      const answered = new Promise((resolve) => answers.set(requestId, resolve));
      out({ type: "control_request", request_id: requestId, request: { subtype: "can_use_tool", tool_name: "Write", input: { file_path: `/tmp/ask-${i}.txt`, content: "x", ts: now() }, tool_use_id: `toolu_${i}` } });
      const at = await answered;
      out(assistant(`answered ${requestId} at ${at}`));
    }
    out(result("asked"));
  },
  BENCH: async (prompt) => {
    const count = Number(/BENCH (\d+)/.exec(prompt)?.[1] ?? 100);
    for (let i = 0; i < count; i += 1) {
      out(assistant(`line ${i}`, { ts: now() }));
      await sleep(2);
    }
    out(result("bench done"));
  },
};

const onLine = async (line, first) => {
  const message = JSON.parse(line);
  if (!first) {
    if (message.type === "control_response") answers.get(message.response?.request_id)?.(now());
    if (message.type === "control_request" && message.request?.subtype === "interrupt") {
      interrupted = true;
      out({ type: "control_response", response: { subtype: "success", request_id: message.request_id } });
      interrupt();
    }
    return;
  }
  const prompt = message.message.content.map((b) => b.text ?? "").join("");
  out({ type: "system", subtype: "init", cwd: process.cwd(), session_id: sessionId, tools: [], mcp_servers: [], model: "fake", permissionMode: "default", apiKeySource: "none" });
  const mode = Object.keys(modes).find((name) => prompt.includes(name));
  if (mode) await modes[mode](prompt);
  else {
    out(assistant(`echo: ${prompt}`));
    out(result(`echo: ${prompt}`));
  }
  if (interrupted) out({ ...result(""), subtype: "error_during_execution", is_error: false });
  // Like the real CLI: exit once stdin is closed.
  if (!stdinClosed) await closed;
  process.exit(0);
};

let buffered = "";
let lines = 0;
process.stdin.on("data", (chunk) => {
  buffered += chunk.toString("utf8");
  for (let newline = buffered.indexOf("\n"); newline !== -1; newline = buffered.indexOf("\n")) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    void onLine(line, (lines += 1) === 1);
  }
});
process.stdin.resume();
