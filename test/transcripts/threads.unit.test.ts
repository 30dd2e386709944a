import { describe, expect, it } from "vitest";
import { decodeTranscriptValue, isMessageLine } from "../../src/transcripts/decodeLine.ts";
import { toThreadNode } from "../../src/transcripts/threadNode.ts";
import { branches, buildGraph, mainThread } from "../../src/transcripts/threads.ts";

const nodes = (lines: Array<Record<string, unknown>>) =>
  lines.map((raw, order) => {
    const line = decodeTranscriptValue({ sessionId: "s", ...raw });
    if (!isMessageLine(line)) throw new Error("not a message line");
    return toThreadNode(line, order);
  });
const user = (uuid: string, parentUuid: string | null, content: unknown = "q") => ({ type: "user", uuid, parentUuid, message: { role: "user", content } });
const assistant = (uuid: string, parentUuid: string, id = `m-${uuid}`, content: unknown[] = [{ type: "text", text: "a" }]) =>
  ({ type: "assistant", uuid, parentUuid, message: { id, content } });

describe("threads", () => {
  it("follows a compaction boundary back through logicalParentUuid", () => {
    const graph = buildGraph(nodes([
      user("u1", null), assistant("a1", "u1"),
      { type: "system", subtype: "compact_boundary", uuid: "cb", parentUuid: null, logicalParentUuid: "a1" },
      { ...user("sum", "cb", "This session is being continued"), isCompactSummary: true },
      user("u2", "sum"), assistant("a2", "u2"),
    ]));
    expect(mainThread(graph).map((n) => n.uuid)).toEqual(["u1", "a1", "cb", "sum", "u2", "a2"]);
  });

  it("keeps parallel tool calls and their results, drops an abandoned branch and sidechains", () => {
    const toolUse = (id: string) => [{ type: "tool_use", id, name: "Read", input: {} }];
    const result = (id: string) => [{ type: "tool_result", tool_use_id: id, content: "ok" }];
    const graph = buildGraph(nodes([
      user("u1", null),
      assistant("t1", "u1", "m1", toolUse("x")), assistant("t2", "t1", "m1", toolUse("y")),
      user("r1", "t1", result("x")), user("r2", "t2", result("y")),
      assistant("a1", "r1"),
      user("old", "a1", "draft"), assistant("oldA", "old"),
      { ...user("side", null, "subtask"), isSidechain: true },
      user("u2", "a1", "edited"), assistant("a2", "u2"),
    ]));
    expect(mainThread(graph).map((n) => n.uuid)).toEqual(["u1", "t1", "t2", "r1", "r2", "a1", "u2", "a2"]);
    expect(branches(graph).map((b) => [b.leafUuid, b.isMain])).toEqual([["oldA", false], ["a2", true]]);
  });
});
