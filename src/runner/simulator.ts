import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import type { ChildHandle, ExitInfo, Launcher, LaunchSpec } from "./spawnClaude.ts";

/**
 * CLAUDE_CODE_SIMULATE=1: a stand-in for the CLI for demos, chosen at start-up and said so in
 * the log, never a silent fallback. It reads the prompt from stdin like the real CLI and prints
 * a realistic 2.0.77-shaped stream (init, partial deltas, a text block, a Bash tool round trip,
 * the final text and a result), paced like a fast model. It honours `--resume` and kills.
 */
const MODEL = "claude-simulated";

const frame = (sessionId: string, body: Record<string, unknown>) => ({ ...body, parent_tool_use_id: null, session_id: sessionId, uuid: randomUUID() });

const assistant = (sessionId: string, messageId: string, block: Record<string, unknown>) =>
  frame(sessionId, {
    type: "assistant",
    message: { id: messageId, type: "message", role: "assistant", model: MODEL, content: [block], stop_reason: null, stop_sequence: null, usage: { input_tokens: 120, output_tokens: 12 } },
  });

const partials = (sessionId: string, text: string) =>
  (text.match(/.{1,16}/gs) ?? []).map((piece) =>
    frame(sessionId, { type: "stream_event", event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: piece } } }),
  );

const script = (sessionId: string, cwd: string, prompt: string): Record<string, unknown>[] => {
  const first = `msg_sim${randomUUID().slice(0, 8)}`;
  const second = `msg_sim${randomUUID().slice(0, 8)}`;
  const toolId = `toolu_sim${randomUUID().slice(0, 8)}`;
  const intro = `Simulated run for: ${prompt.slice(0, 80)}. Let me look around.`;
  const outro = "The folder is listed above. This was a simulated turn (CLAUDE_CODE_SIMULATE=1).";
  return [
    { type: "system", subtype: "init", cwd, session_id: sessionId, tools: ["Bash", "Read", "Edit", "Write"], mcp_servers: [], model: MODEL, permissionMode: "default", apiKeySource: "none", claude_code_version: "simulated", uuid: randomUUID() },
    ...partials(sessionId, intro),
    assistant(sessionId, first, { type: "text", text: intro }),
    assistant(sessionId, first, { type: "tool_use", id: toolId, name: "Bash", input: { command: "ls", description: "List files" } }),
    frame(sessionId, { type: "user", message: { role: "user", content: [{ tool_use_id: toolId, type: "tool_result", content: "README.md\nsrc", is_error: false }] }, tool_use_result: { stdout: "README.md\nsrc", stderr: "", interrupted: false, isImage: false } }),
    ...partials(sessionId, outro),
    assistant(sessionId, second, { type: "text", text: outro }),
    { type: "result", subtype: "success", is_error: false, duration_ms: 900, duration_api_ms: 700, num_turns: 2, result: outro, session_id: sessionId, total_cost_usd: 0, usage: { input_tokens: 240, output_tokens: 40 }, permission_denials: [], uuid: randomUUID() },
  ];
};

const promptOf = (line: string): string => {
  try {
    const parsed = JSON.parse(line) as { message?: { content?: { text?: string }[] } };
    return parsed.message?.content?.map((block) => block.text ?? "").join("") ?? "";
  } catch {
    return "";
  }
};

const resumeOf = (args: readonly string[]): string | null => {
  const index = args.indexOf("--resume");
  return index === -1 ? null : (args[index + 1] ?? null);
};

export const createSimulator = (options: { lineDelayMs?: number } = {}): Launcher => ({
  mode: "simulator",
  version: async () => "simulator",
  launch: (spec: LaunchSpec): ChildHandle => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let alive = true;
    let resolveExit: (info: ExitInfo) => void = () => {};
    const exited = new Promise<ExitInfo>((resolve) => (resolveExit = resolve));
    const end = (info: ExitInfo) => {
      if (!alive) return;
      alive = false;
      stdout.end();
      stderr.end();
      resolveExit(info);
    };
    const play = async (prompt: string) => {
      const sessionId = resumeOf(spec.args) ?? randomUUID();
      for (const line of script(sessionId, spec.folder.realPath, prompt)) {
        if (!alive) return;
        stdout.write(`${JSON.stringify(line)}\n`);
        await new Promise((resolve) => setTimeout(resolve, options.lineDelayMs ?? 60));
      }
      // Like the CLI: wait for stdin to close before exiting.
      if (!stdin.readableEnded) await new Promise((resolve) => stdin.once("end", resolve));
      end({ exitCode: 0, signal: null });
    };
    let buffered = "";
    let started = false;
    stdin.on("data", (chunk: Buffer) => {
      if (started) return;
      buffered += chunk.toString("utf8");
      const newline = buffered.indexOf("\n");
      if (newline === -1) return;
      started = true;
      void play(promptOf(buffered.slice(0, newline)));
    });
    stdin.resume();
    return { pid: undefined, stdin, stdout, stderr, exited, kill: (signal) => end({ exitCode: null, signal }), groupAlive: () => alive };
  },
});
