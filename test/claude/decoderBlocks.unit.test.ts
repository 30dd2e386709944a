import { createHash } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { decodeContent } from "../../src/claude/contentBlocks.ts";
import { truncateLargeToolResults } from "../../src/claude/truncateToolResults.ts";
import { runDecode } from "../../src/cli/decode.ts";
import { nonEmptyLines, streamFixtures } from "./decoderFixtures.ts";

describe("decodeContent", () => {
  it("types every block kind Claude Code sends and keeps their unknown fields", () => {
    const blocks = decodeContent([
      { type: "text", text: "hi", citations: [{ url: "u" }] },
      { type: "thinking", thinking: "hmm", signature: "sig" },
      { type: "redacted_thinking", data: "xx" },
      { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" }, caller: { type: "direct" } },
      { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "q" } },
      { type: "mcp_tool_use", id: "mcptoolu_1", name: "fetch", server_name: "web", input: {} },
      { type: "mcp_tool_result", tool_use_id: "mcptoolu_1", is_error: false, content: [{ type: "text", text: "ok" }] },
      { type: "tool_result", tool_use_id: "toolu_1", content: "out", is_error: true },
      { type: "image", source: { type: "url", url: "https://x/y.png" } },
      { type: "document", source: { type: "text", data: "d" }, title: "T" },
    ]);
    expect(blocks.map((b) => b.type)).toEqual([
      "text", "thinking", "redacted_thinking", "tool_use", "server_tool_use", "mcp_tool_use", "mcp_tool_result", "tool_result", "image", "document",
    ]);
    expect(blocks[0]).toMatchObject({ text: "hi", raw: { citations: [{ url: "u" }] } });
    expect(blocks[3]).toMatchObject({ id: "toolu_1", name: "Bash", input: { command: "ls" }, raw: { caller: { type: "direct" } } });
    expect(blocks[5]).toMatchObject({ serverName: "web" });
    expect(blocks[6]).toMatchObject({ toolUseId: "mcptoolu_1", content: [{ type: "text", text: "ok" }] });
    expect(blocks[7]).toMatchObject({ toolUseId: "toolu_1", content: "out", isError: true });
    expect(blocks[8]).toMatchObject({ source: { type: "url", url: "https://x/y.png" } });
    expect(blocks[9]).toMatchObject({ title: "T" });
  });

  it("keeps unknown or malformed blocks opaque instead of dropping them", () => {
    expect(decodeContent([{ type: "web_search_tool_result", tool_use_id: "s", content: [] }, { type: "tool_use", name: "no id" }, 7])).toEqual([
      { type: "unknown", blockType: "web_search_tool_result", raw: { type: "web_search_tool_result", tool_use_id: "s", content: [] } },
      { type: "unknown", blockType: "tool_use", raw: { type: "tool_use", name: "no id" } },
      { type: "unknown", blockType: "", raw: 7 },
    ]);
  });

  it("reads a plain string as one text block and anything else as no blocks", () => {
    expect(decodeContent("hello")).toMatchObject([{ type: "text", text: "hello" }]);
    expect(decodeContent(undefined)).toEqual([]);
    expect(decodeContent({ type: "text" })).toEqual([]);
  });
});

describe("truncateLargeToolResults", () => {
  const big = "é".repeat(3000); // 6000 UTF-8 bytes
  const frame = {
    type: "user",
    message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: big }, { type: "tool_result", tool_use_id: "t2", content: "small" }] },
    tool_use_result: { stdout: big, stderr: "" },
  };

  it("replaces only the results over the limit, with their size and hash", () => {
    const out = truncateLargeToolResults(frame, 1000);
    const hash = createHash("sha256").update(big).digest("hex");
    expect(out.message.content[0]).toEqual({ type: "tool_result", tool_use_id: "t1", content: { truncated: true, originalBytes: 6000, sha256: hash } });
    expect(out.message.content[1]).toBe(frame.message.content[1]);
    expect(out.tool_use_result).toMatchObject({ truncated: true, originalBytes: Buffer.byteLength(JSON.stringify(frame.tool_use_result)) });
  });

  it("leaves the input untouched and returns it as is when everything fits", () => {
    const copy = structuredClone(frame);
    truncateLargeToolResults(frame, 1000);
    expect(frame).toEqual(copy);
    expect(truncateLargeToolResults(frame, 100_000)).toBe(frame);
  });

  it("measures array contents too (e.g. an image result)", () => {
    const withArray = { type: "user", message: { content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: big }] }] } };
    expect(truncateLargeToolResults(withArray, 1000).message.content[0]).toMatchObject({ content: { truncated: true } });
  });
});

describe("runDecode (ccm decode)", () => {
  const collect = async (input: string): Promise<{ lines: unknown[]; summary: unknown }> => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on("data", (c: Buffer) => chunks.push(c));
    const summary = await runDecode(Readable.from([Buffer.from(input)]), output);
    return { lines: nonEmptyLines(Buffer.concat(chunks).toString()).map((l) => JSON.parse(l)), summary };
  };

  it("prints one line per message and the summary line last", async () => {
    const text = streamFixtures().map((f) => f.text).join("") + "stderr noise\n" + '{"type":"keep_alive"}\n';
    const { lines, summary } = await collect(text);
    const total = nonEmptyLines(text).length;
    expect(lines).toHaveLength(total + 1);
    expect(lines.at(-1)).toEqual(summary);
    expect(summary).toEqual({ lines: total, decoded: total - 2, unknown: 1, invalid: 1, results: 21 });
    expect(Object.keys(summary as object)).toEqual(["lines", "decoded", "unknown", "invalid", "results"]);
    expect(lines.at(-2)).toEqual({ kind: "unknown", type: "keep_alive", raw: { type: "keep_alive" } });
    expect(lines.at(-3)).toMatchObject({ kind: "invalid", reason: "not JSON", raw: "stderr noise" });
  });

  it("prints typed messages without repeating the raw input", async () => {
    const { lines } = await collect('{"type":"user","message":{"content":[{"type":"text","text":"hi"}]},"session_id":"s"}\n');
    expect(lines[0]).toEqual({ kind: "user", content: [{ type: "text", text: "hi" }], parentToolUseId: null, sessionId: "s" });
  });
});
