import { describe, expect, it } from "vitest";
import { decodeTranscriptLine, decodeTranscriptValue } from "../../src/transcripts/decodeLine.ts";

const env = { uuid: "u1", parentUuid: "p1", sessionId: "s1", cwd: "/w", timestamp: "2026-01-01T00:00:00Z" };

describe("transcript line decoder", () => {
  it("decodes user content given as a string or as blocks", () => {
    const asString = decodeTranscriptValue({ ...env, type: "user", message: { role: "user", content: "hello" } });
    const asBlocks = decodeTranscriptValue({ ...env, type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] } });
    expect(asString).toMatchObject({ kind: "user", content: [{ type: "text", text: "hello" }], env: { uuid: "u1", parentUuid: "p1", cwd: "/w" } });
    expect(asBlocks).toMatchObject({ kind: "user", content: [{ type: "tool_result", toolUseId: "t1", content: "ok" }] });
  });

  it("decodes a compaction boundary with its logical parent", () => {
    const line = decodeTranscriptValue({ ...env, parentUuid: null, logicalParentUuid: "before", type: "system", subtype: "compact_boundary", content: "Conversation compacted" });
    expect(line).toMatchObject({ kind: "compact_boundary", env: { parentUuid: null, logicalParentUuid: "before" } });
  });

  it("keeps metadata lines as opaque typed `other`, summaries typed, unknown types surfaced", () => {
    expect(decodeTranscriptValue({ type: "cost-state", sessionId: "s1", totalCostUSD: 1 })).toMatchObject({ kind: "other", type: "cost-state", sessionId: "s1", raw: { totalCostUSD: 1 } });
    expect(decodeTranscriptValue({ type: "summary", summary: "Title", leafUuid: "l1" })).toMatchObject({ kind: "summary", summary: "Title", leafUuid: "l1" });
    expect(decodeTranscriptValue({ type: "hologram", x: 1 })).toEqual({ kind: "unknown", type: "hologram", raw: { type: "hologram", x: 1 } });
  });

  it("keeps unknown fields and unknown blocks of known lines", () => {
    const line = decodeTranscriptValue({ ...env, type: "assistant", futureField: 7, message: { id: "m1", content: [{ type: "hologram_block" }] } });
    expect(line).toMatchObject({ kind: "assistant", messageId: "m1", raw: { futureField: 7 }, content: [{ type: "unknown", blockType: "hologram_block" }] });
  });

  it("rejects, with a reason, what it cannot place", () => {
    expect(decodeTranscriptLine(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))).toEqual({ kind: "invalid", reason: "utf8" });
    expect(decodeTranscriptLine(Buffer.from('{"type":"user",'))).toEqual({ kind: "invalid", reason: "json" });
    expect(decodeTranscriptLine(Buffer.from("[1,2]"))).toEqual({ kind: "invalid", reason: "not_object" });
    expect(decodeTranscriptLine(Buffer.from('{"uuid":"x"}'))).toEqual({ kind: "invalid", reason: "no_type" });
    expect(decodeTranscriptLine(Buffer.from('{"type":"assistant","message":{}}'))).toEqual({ kind: "invalid", reason: "no_uuid" });
  });
});
