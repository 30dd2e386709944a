import { describe, expect, it } from "vitest";
import { frameMessage, MAX_BLOCK_BYTES } from "../../projections/sessions/messageContent.ts";

describe("frameMessage", () => {
  it("keeps an assistant frame's blocks in order and its API message id, without thinking signatures", () => {
    const message = frameMessage("assistant", {
      type: "assistant", session_id: "c1", parent_tool_use_id: null,
      message: { id: "msg_1", content: [{ type: "thinking", thinking: "hm", signature: "abc" }, { type: "text", text: "Hi" }, { type: "future_block", x: 1 }] },
    });
    expect(message).toEqual({
      role: "assistant", apiMessageId: "msg_1", claudeSessionId: "c1", text: "Hi",
      blocks: [{ type: "thinking", thinking: "hm" }, { type: "text", text: "Hi" }, { type: "future_block", x: 1 }],
    });
  });

  it("turns string content into a text block and ignores system, result, replayed and subagent frames", () => {
    expect(frameMessage("user", { message: { content: "plain" } })?.blocks).toEqual([{ type: "text", text: "plain" }]);
    expect(frameMessage("system", { type: "system", subtype: "init" })).toBeNull();
    expect(frameMessage("result", { type: "result" })).toBeNull();
    expect(frameMessage("user", { isReplay: true, message: { content: "echo" } })).toBeNull();
    expect(frameMessage("assistant", { parent_tool_use_id: "toolu_1", message: { content: [] } })).toBeNull();
  });

  it("marks an oversized tool result as truncated with its size, keeping which tool use it answers", () => {
    const huge = "x".repeat(MAX_BLOCK_BYTES + 10);
    const [block] = frameMessage("user", { message: { content: [{ type: "tool_result", tool_use_id: "tu1", content: huge, is_error: false }] } })?.blocks ?? [];
    expect(block).toEqual({ type: "tool_result", tool_use_id: "tu1", is_error: false, truncated: true, originalBytes: expect.any(Number) });
    expect((block as { originalBytes: number }).originalBytes).toBeGreaterThan(MAX_BLOCK_BYTES);
  });

  it("replaces NUL characters, which Postgres cannot store", () => {
    const [block] = frameMessage("assistant", { message: { content: [{ type: "text", text: "a\u0000b" }] } })?.blocks ?? [];
    expect(block).toEqual({ type: "text", text: "a\ufffdb" });
  });
});
