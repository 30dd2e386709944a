import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createDecodeCounters, decodeStream } from "../../src/claude/decodeStream.ts";
import { decodeLine, type DecodedLine } from "../../src/claude/streamJson.ts";
import { isSystemSubtype } from "../../src/claude/systemMessages.ts";
import { nonEmptyLines, realFixtures, streamFixtures, type Fixture } from "./decoderFixtures.ts";

const fixture = (name: string): Fixture => {
  const found = streamFixtures().find((f) => f.name.startsWith(name));
  if (found === undefined) throw new Error(`no fixture ${name}`);
  return found;
};
const decodeAll = (text: string): DecodedLine[] => nonEmptyLines(text).map(decodeLine);
const ofKind = <K extends DecodedLine["kind"]>(lines: DecodedLine[], kind: K) =>
  lines.filter((l): l is Extract<DecodedLine, { kind: K }> => l.kind === kind);

describe("decodeLine over every captured stream-json run", () => {
  it.each(streamFixtures().map((f) => [f.name, f] as const))("%s: no invalid line, every result recognised", (_n, f) => {
    const lines = decodeAll(f.text);
    expect(lines.filter((l) => l.kind === "invalid")).toEqual([]);
    const resultLines = nonEmptyLines(f.text).filter((l) => JSON.parse(l).type === "result");
    expect(ofKind(lines, "result")).toHaveLength(resultLines.length);
  });

  it.each(streamFixtures().map((f) => [f.name, f] as const))("%s: raw re-encodes to the same value", (_n, f) => {
    for (const line of nonEmptyLines(f.text)) {
      const decoded = decodeLine(line);
      expect(JSON.parse(JSON.stringify(decoded.raw))).toEqual(JSON.parse(line));
    }
  });
});

describe("what the runner learns from a run", () => {
  it("pairs a Bash tool_use with its tool_result and reads the final result (s3)", () => {
    const lines = decodeAll(fixture("s3-tool-bypass").text);
    const init = lines.find((l) => isSystemSubtype(l, "init"));
    expect(init && isSystemSubtype(init, "init") && init.cwd).toBe("/home/u/src/work-a");
    const toolUse = ofKind(lines, "assistant").flatMap((l) => l.content).find((b) => b.type === "tool_use");
    expect(toolUse).toMatchObject({ type: "tool_use", name: "Bash", input: { command: "echo hello-from-mock-tool" } });
    const toolResult = ofKind(lines, "user").flatMap((l) => l.content).find((b) => b.type === "tool_result");
    expect(toolResult).toMatchObject({ toolUseId: toolUse?.type === "tool_use" ? toolUse.id : "?", content: "hello-from-mock-tool", isError: false });
    const [result] = ofKind(lines, "result");
    expect(result).toMatchObject({ subtype: "success", isError: false, numTurns: 2, resultIndex: 0 });
    expect(result?.costUsd).toBeGreaterThan(0);
    expect(result?.sessionId).toBe(init?.sessionId);
  });

  it("sees an API error as a synthetic assistant message and an is_error success result (s9)", () => {
    const lines = decodeAll(fixture("s9-overloaded-529").text);
    const retries = lines.filter((l) => isSystemSubtype(l, "api_retry"));
    expect(retries.map((r) => isSystemSubtype(r, "api_retry") && [r.attempt, r.errorStatus])).toEqual([[1, 529], [2, 529]]);
    const [assistant] = ofKind(lines, "assistant");
    expect(assistant).toMatchObject({ model: "<synthetic>", error: "server_error" });
    expect(ofKind(lines, "result")[0]).toMatchObject({ subtype: "success", isError: true });
  });

  it("reports max turns with its error text (s11) and a startup failure (s2b)", () => {
    expect(ofKind(decodeAll(fixture("s11-max-turns").text), "result")[0]).toMatchObject({
      subtype: "error_max_turns",
      isError: true,
      errors: ["Reached maximum number of turns (1)"],
    });
    expect(ofKind(decodeAll(fixture("s2b-").text), "result")[0]).toMatchObject({
      subtype: "error_during_execution",
      isError: true,
      costUsd: 0,
    });
  });

  it("records an automatic permission denial (s4)", () => {
    const lines = decodeAll(fixture("s4-permission-denied").text);
    const denied = lines.find((l) => isSystemSubtype(l, "permission_denied"));
    expect(denied).toMatchObject({ toolName: "Write", known: true });
    const [result] = ofKind(lines, "result");
    expect(result?.permissionDenials.map((d) => d.toolName)).toEqual(["Write"]);
    const toolResult = ofKind(lines, "user")[0]?.content[0];
    expect(toolResult).toMatchObject({ type: "tool_result", isError: true });
    expect(ofKind(lines, "user")[0]?.toolUseResult).toMatch(/^Error: /);
  });

  it("surfaces a permission prompt as a typed can_use_tool request (s20)", () => {
    const lines = decodeAll(fixture("s20-permission-prompt-allow").text);
    const prompt = ofKind(lines, "control_request").find((r) => r.request.subtype === "can_use_tool");
    expect(prompt?.requestId).toBe("a415f21d-2a84-4ac2-85b4-184c92f7b232");
    expect(prompt?.request).toMatchObject({
      toolName: "Write",
      input: { file_path: "/home/u/src/work-a/hello.txt" },
      toolUseId: expect.stringMatching(/^toolu_/),
    });
    expect(ofKind(lines, "control_response")[0]).toMatchObject({ requestId: "init-1", subtype: "success" });
  });

  it("decodes an image inside a tool_result (s15)", () => {
    const user = ofKind(decodeAll(fixture("s15-image").text), "user")[0];
    const block = user?.content[0];
    const inner = block?.type === "tool_result" && Array.isArray(block.content) ? block.content[0] : undefined;
    expect(inner).toMatchObject({ type: "image", source: { type: "base64", mediaType: "image/png" } });
  });

  it("rebuilds the assistant text from partial text deltas (s1)", () => {
    const lines = decodeAll(fixture("s1-text-partial").text);
    const streamed = ofKind(lines, "stream_event")
      .map((l) => (l.event.type === "content_block_delta" && l.event.delta.type === "text_delta" ? l.event.delta.text : ""))
      .join("");
    const final = ofKind(lines, "assistant").flatMap((l) => l.content).map((b) => (b.type === "text" ? b.text : "")).join("");
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed).toBe(final);
    const stop = ofKind(lines, "stream_event").find((l) => l.event.type === "message_delta");
    expect(stop?.event).toMatchObject({ type: "message_delta", stopReason: "end_turn" });
  });

  it("keeps reading after the first result: two turns in one stream give two init/result pairs", async () => {
    const text = fixture("s3-tool-bypass").text + fixture("s6-resume").text + fixture("v2.0.77-s2").text;
    const counters = createDecodeCounters();
    const lines: DecodedLine[] = [];
    for await (const line of decodeStream(Readable.from([Buffer.from(text)]), counters)) lines.push(line);
    expect(lines.filter((l) => isSystemSubtype(l, "init"))).toHaveLength(3);
    expect(ofKind(lines, "result").map((r) => r.subtype)).toEqual(["success", "success", "success"]);
    expect(counters.summary()).toEqual({ lines: lines.length, decoded: lines.length, unknown: 0, invalid: 0, results: 3 });
  });
});

describe("versions and forward compatibility", () => {
  it("reads 0.2.x cost fields and a result without usage", () => {
    const line = JSON.stringify({ type: "result", subtype: "success", cost_usd: 0.01, total_cost: 0.02, is_error: false, duration_ms: 5, num_turns: 3, result: "ok", session_id: "s" });
    expect(decodeLine(line)).toMatchObject({ kind: "result", costUsd: 0.02, numTurns: 3, result: "ok", errors: [] });
  });

  it("keeps unknown types, subtypes, blocks and deltas instead of failing", () => {
    expect(decodeLine('{"type":"keep_alive","x":1}')).toEqual({ kind: "unknown", type: "keep_alive", raw: { type: "keep_alive", x: 1 } });
    expect(decodeLine('{"type":"system","subtype":"memory_recall","session_id":"s","n":2}')).toMatchObject({ kind: "system", known: false, subtype: "memory_recall" });
    const assistant = decodeLine('{"type":"assistant","message":{"content":[{"type":"compaction","content":"c"},"junk"]}}');
    expect(assistant).toMatchObject({ kind: "assistant", parentToolUseId: null, content: [{ type: "unknown", blockType: "compaction" }, { type: "unknown", blockType: "", raw: "junk" }] });
    const delta = decodeLine('{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}}');
    expect(delta).toMatchObject({ kind: "stream_event", event: { delta: { type: "unknown", deltaType: "citations_delta" } } });
  });

  it("treats type names that collide with Object.prototype as ordinary unknown types", () => {
    for (const type of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(decodeLine(JSON.stringify({ type, subtype: type, session_id: "s" }))).toMatchObject({ kind: "unknown", type });
      expect(decodeLine(JSON.stringify({ type: "system", subtype: type, session_id: "s" }))).toMatchObject({ kind: "system", known: false, subtype: type });
    }
  });

  it("accepts a user message whose content is a plain string", () => {
    expect(decodeLine('{"type":"user","message":{"role":"user","content":"hi"},"session_id":"s"}')).toMatchObject({ kind: "user", content: [{ type: "text", text: "hi" }] });
  });

  it.each([
    ["not JSON", "oops {", "not JSON"],
    ["a JSON array", "[1,2]", "not a JSON object"],
    ["no type", '{"subtype":"init"}', "no string type"],
    ["a numeric type", '{"type":3}', "no string type"],
    ["a result without session_id", '{"type":"result","subtype":"success","is_error":false}', "result without session_id"],
    ["an init without session_id", '{"type":"system","subtype":"init"}', "system/init without session_id"],
    ["an assistant without message", '{"type":"assistant"}', "assistant without message"],
    ["a permission prompt without tool_name", '{"type":"control_request","request_id":"r","request":{"subtype":"can_use_tool"}}', "control_request without request_id/request"],
  ])("marks %s invalid", (_name, line, reason) => {
    expect(decodeLine(line)).toMatchObject({ kind: "invalid", reason });
  });
});

describe("on-disk history files in real/ (not stream-json)", () => {
  it.each(realFixtures().map((f) => [f.name, f] as const))("%s: decodes without throwing or invalid lines", (_n, f) => {
    const lines = decodeAll(f.text);
    expect(lines.filter((l) => l.kind === "invalid")).toEqual([]);
    expect(ofKind(lines, "assistant").length + ofKind(lines, "user").length).toBeGreaterThan(0);
  });
});
