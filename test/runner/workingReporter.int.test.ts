import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { decodeLine } from "../../src/claude/streamJson.ts";
import { createWorkingStates } from "../../src/live/workingState.ts";
import { createWorkingReporter } from "../../src/runner/workingReporter.ts";
import { connectTestRedis, deleteKeys } from "../support/redis.ts";

/** The lines a CLI prints become the activity a phone sees, kept in (real) Redis while the job runs. */
const { redis, prefix } = connectTestRedis();
const states = createWorkingStates(redis, prefix);
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const line = (value: unknown) => decodeLine(JSON.stringify(value));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the working state of a job", () => {
  it("follows the job: model, retries, tool, approval, compacting; the answer so far; gone when the job ends", async () => {
    const reporter = createWorkingReporter({ states, sessionId: "s1", jobId: "j1", logger: pino({ level: "silent" }) });
    const now = async () => {
      await sleep(150);
      return states.read("s1", "j1");
    };
    reporter.start();
    expect(await now()).toMatchObject({ jobId: "j1", activity: { kind: "model" }, reply: null });

    reporter.line(line({ type: "system", subtype: "api_retry", attempt: 2, max_retries: 10, retry_delay_ms: 1200, error_status: 529, error: "overloaded", session_id: "c" }));
    expect((await now())?.activity).toEqual({ kind: "retrying", attempt: 2, maxRetries: 10, retryDelayMs: 1200 });

    reporter.line(line({ type: "stream_event", event: { type: "message_start", message: { id: "msg_1" } }, parent_tool_use_id: null, session_id: "c" }));
    for (const text of ["Let me ", "look."]) {
      reporter.line(line({ type: "stream_event", event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }, parent_tool_use_id: null, session_id: "c" }));
    }
    expect(await now()).toMatchObject({ activity: { kind: "model" }, reply: { messageId: "msg_1", text: "Let me look." } });

    reporter.line(line({ type: "assistant", message: { id: "msg_1", content: [{ type: "tool_use", id: "tu1", name: "Bash", input: { command: "ls" } }] }, parent_tool_use_id: null, session_id: "c" }));
    expect((await now())?.activity).toEqual({ kind: "tool", toolName: "Bash" });

    reporter.line(line({ type: "control_request", request_id: "q1", request: { subtype: "can_use_tool", tool_name: "Write", input: {} } }));
    expect((await now())?.activity).toEqual({ kind: "approval", requestId: "q1", toolName: "Write" });
    reporter.answered("q1", true);
    expect((await now())?.activity).toEqual({ kind: "tool", toolName: "Write" });

    reporter.line(line({ type: "user", message: { content: [{ type: "tool_result", tool_use_id: "tu1", content: "ok" }] }, parent_tool_use_id: null, session_id: "c" }));
    expect((await now())?.activity).toEqual({ kind: "model" });

    reporter.line(line({ type: "system", subtype: "status", status: "compacting", session_id: "c" }));
    expect((await now())?.activity).toEqual({ kind: "compacting" });

    // Another job's state is not this one's.
    expect(await states.read("s1", "j2")).toBeNull();
    await reporter.stop();
    expect(await states.read("s1", "j1")).toBeNull();
  });
});
