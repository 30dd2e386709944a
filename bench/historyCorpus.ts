import { randomUUID } from "node:crypto";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * A synthetic Claude config folder shaped like real history (formats §4): turns of user prompt,
 * attachment, thinking, text, tool_use, tool_result (with the `toolUseResult` copy real files
 * carry), metadata lines; payloads with quotes, backslashes and newlines like code does.
 * Written in 4 MB batches so the generator itself stays small in memory.
 */
export type Corpus = {
  dir: string;
  files: number;
  bytes: number;
  largest: { sessionId: string; bytes: number };
  /** A session of `mediumBytes`, the size a phone opens whole. */
  medium: { sessionId: string; bytes: number };
  growable: string;
};
export type CorpusOptions = { sessions: number; totalBytes: number; bigFiles: number; bigBytes: number; hugeLineBytes: number; mediumBytes: number };

const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const random = rng(42);

const CODE = 'export const f = (a: string) => {\n\tif (a === "x\\\\y") return `${a}`;\n\treturn JSON.parse("{\\"k\\": 1}");\n}\n';
const payloads = Array.from({ length: 48 }, (_, i) => CODE.repeat(Math.ceil((200 + i * i * 14) / CODE.length)));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

type Ctx = { sessionId: string; cwd: string; parent: string | null; t: number };

const envelope = (ctx: Ctx, type: string) => {
  const uuid = randomUUID();
  const base = { parentUuid: ctx.parent, isSidechain: false, userType: "external", cwd: ctx.cwd, sessionId: ctx.sessionId, version: "2.1.331", gitBranch: "main", type, uuid, timestamp: new Date(ctx.t += 900).toISOString() };
  ctx.parent = uuid;
  return base;
};

const turn = (ctx: Ctx): string[] => {
  const toolId = `toolu_${randomUUID().replaceAll("-", "")}`;
  const messageId = `msg_${randomUUID().replaceAll("-", "")}`;
  const output = pick(payloads);
  const assistant = (content: unknown) => ({ ...envelope(ctx, "assistant"), requestId: "req_1", message: { id: messageId, type: "message", role: "assistant", model: "claude-opus-4", content, stop_reason: null, usage: { input_tokens: 10, output_tokens: 50 } } });
  return [
    { ...envelope(ctx, "user"), message: { role: "user", content: `Please look at ${pick(payloads).slice(0, 120)}` } },
    { ...envelope(ctx, "attachment"), attachment: { type: "date", content: pick(payloads).slice(0, 600) } },
    assistant([{ type: "thinking", thinking: pick(payloads).slice(0, 900), signature: "sig".repeat(60) }]),
    assistant([{ type: "tool_use", id: toolId, name: "Read", input: { file_path: "/home/bench/src/index.ts" } }]),
    { ...envelope(ctx, "user"), message: { role: "user", content: [{ type: "tool_result", tool_use_id: toolId, content: output }] }, toolUseResult: { type: "text", file: { filePath: "/home/bench/src/index.ts", content: output, numLines: 40, startLine: 1, totalLines: 40 } } },
    assistant([{ type: "text", text: `Done. ${pick(payloads).slice(0, 400)}` }]),
    { type: "last-prompt", lastPrompt: "Please look", leafUuid: ctx.parent, sessionId: ctx.sessionId },
  ].map((line) => JSON.stringify(line) + "\n");
};

const writeSession = (path: string, ctx: Ctx, target: number, extra?: (write: (text: string) => void) => void): number => {
  const fd = openSync(path, "w");
  let batch: string[] = [];
  let batchBytes = 0;
  let total = 0;
  const write = (text: string) => {
    batch.push(text);
    batchBytes += text.length;
    if (batchBytes > 4 * 1024 * 1024) flush();
  };
  const flush = () => {
    total += writeSync(fd, batch.join(""));
    batch = [];
    batchBytes = 0;
  };
  write(JSON.stringify({ type: "ai-title", aiTitle: `Bench session ${ctx.sessionId.slice(0, 8)}`, sessionId: ctx.sessionId }) + "\n");
  while (total + batchBytes < target) for (const line of turn(ctx)) write(line);
  extra?.(write);
  flush();
  closeSync(fd);
  return total;
};

/** One JSON line of `bytes` bytes (a pasted log), written in 1 MB pieces. */
const hugeLine = (ctx: Ctx, bytes: number) => (write: (text: string) => void) => {
  const head = JSON.stringify({ ...envelope(ctx, "user"), message: { role: "user", content: "" } }).slice(0, -3);
  write(head);
  const piece = "0123456789abcdef".repeat(65536);
  for (let n = 0; n < bytes; n += piece.length) write(piece);
  write('"}}\n');
  for (const line of turn(ctx)) write(line);
};

export const generateCorpus = (dir: string, options: CorpusOptions): Corpus => {
  const projects = 40;
  for (let p = 0; p < projects; p++) mkdirSync(join(dir, "projects", `-home-bench-project-${p}`), { recursive: true });
  let bytes = 0;
  let largest = { sessionId: "", bytes: 0 };
  let growable = "";
  let medium = { sessionId: "", bytes: 0 };
  const smallBudget = (options.totalBytes - options.bigFiles * options.bigBytes - options.hugeLineBytes - options.mediumBytes) / options.sessions;
  for (let i = 0; i < options.sessions + options.bigFiles + 1; i++) {
    const project = i % projects;
    const ctx: Ctx = { sessionId: randomUUID(), cwd: `/home/bench/project-${project}`, parent: null, t: Date.UTC(2026, 0, 1) + i * 60_000 };
    const path = join(dir, "projects", `-home-bench-project-${project}`, `${ctx.sessionId}.jsonl`);
    const big = i < options.bigFiles;
    const huge = i === options.bigFiles;
    // Sizes spread from a tenth to twice the mean, like a real history folder.
    const isMedium = i === options.bigFiles + 20;
    const target = big ? options.bigBytes : huge ? 200_000 : isMedium ? options.mediumBytes : Math.round(smallBudget * (0.1 + random() * 1.8));
    const written = writeSession(path, ctx, target, huge ? hugeLine(ctx, options.hugeLineBytes) : undefined);
    bytes += written;
    if (written > largest.bytes) largest = { sessionId: ctx.sessionId, bytes: written };
    if (isMedium) medium = { sessionId: ctx.sessionId, bytes: written };
    if (i === options.bigFiles + 10) growable = path;
  }
  return { dir, files: options.sessions + options.bigFiles + 1, bytes, largest, medium, growable };
};

/** Appended turns for the "one file grew" rescan. */
export const appendedTurns = (sessionId: string, parent: string | null): string => {
  const ctx: Ctx = { sessionId, cwd: "/home/bench/project-10", parent, t: Date.UTC(2026, 5, 1) };
  return [...turn(ctx), ...turn(ctx)].join("");
};

/** One assistant line answering `parent`, as the CLI appends while a turn streams. */
export const appendedLine = (sessionId: string, parent: string | null): { text: string; uuid: string } => {
  const ctx: Ctx = { sessionId, cwd: "/home/bench/project-10", parent, t: Date.now() };
  const line = { ...envelope(ctx, "assistant"), message: { id: `msg_${randomUUID().replaceAll("-", "")}`, type: "message", role: "assistant", model: "claude-opus-4", content: [{ type: "text", text: "appended" }] } };
  return { text: JSON.stringify(line) + "\n", uuid: line.uuid };
};
