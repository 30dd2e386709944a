import type { Logger } from "pino";
import type { DecodedLine } from "../claude/streamJson.ts";
import { toError } from "../errors.ts";
import type { Activity, WorkingStates } from "../live/workingState.ts";

/** The answer text kept for a phone joining mid-answer (the stored message has all of it). */
const MAX_REPLY_CHARS = 64 * 1024;
/** Typing deltas come many a second: the state is written at most this often. */
const FLUSH_MS = 100;

const sameActivity = (a: Activity, b: Activity) => JSON.stringify(a) === JSON.stringify(b);

/** The last tool the model asked for in a message of the main thread, if any. */
const lastToolOf = (line: Extract<DecodedLine, { kind: "assistant" }>): string | undefined =>
  line.content.flatMap((block) => (block.type === "tool_use" ? [block.name] : [])).at(-1);

/**
 * One job's working state, from the lines its CLI prints: what it is doing (waiting for the
 * model, retrying it, compacting, running a tool, waiting for an approval) and the answer it
 * is writing. Written to Redis as it changes (throttled) and cleared when the job ends.
 */
export const createWorkingReporter = (deps: { states: WorkingStates; sessionId: string; jobId: string; logger: Logger }) => {
  const { states, sessionId, jobId } = deps;
  let activity: Activity = { kind: "model" };
  let since = new Date().toISOString();
  let reply: { messageId: string | null; text: string } | null = null;
  const asked = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let stopped = false;
  let failing = false;

  const flush = () => {
    timer = undefined;
    const state = { jobId, activity, since, reply };
    writing = writing.then(() => states.write(sessionId, state)).then(
      () => void (failing = false),
      (error: unknown) => {
        // Ephemeral: a lost write only delays what a phone sees; said once per outage.
        if (!failing) deps.logger.warn({ err: toError(error).message }, "could not write the job's working state");
        failing = true;
      },
    );
  };

  const schedule = () => {
    if (stopped || timer !== undefined) return;
    timer = setTimeout(flush, FLUSH_MS);
    timer.unref();
  };

  /** A new activity is written at once; only the typing in between waits for the next flush. */
  const become = (next: Activity) => {
    if (sameActivity(next, activity)) return;
    activity = next;
    since = new Date().toISOString();
    if (stopped) return;
    clearTimeout(timer);
    flush();
  };

  /** The phone answered a request, it expired, or the CLI withdrew it: the tool runs, or the model hears no. */
  const answered = (requestId: string, allowed: boolean) => {
    const toolName = asked.get(requestId);
    asked.delete(requestId);
    if (toolName !== undefined && activity.kind === "approval" && activity.requestId === requestId) {
      become(allowed ? { kind: "tool", toolName } : { kind: "model" });
    }
  };

  const line = (decoded: DecodedLine) => {
    switch (decoded.kind) {
      case "stream_event": {
        const { event } = decoded;
        if (decoded.parentToolUseId !== null) return;
        if (event.type === "message_start") {
          reply = { messageId: event.messageId ?? null, text: "" };
          become({ kind: "model" });
        } else if (event.type === "content_block_delta" && event.delta.type === "text_delta" && reply !== null && reply.text.length < MAX_REPLY_CHARS) {
          reply = { ...reply, text: (reply.text + event.delta.text).slice(0, MAX_REPLY_CHARS) };
          schedule();
        }
        return;
      }
      case "assistant": {
        const tool = decoded.parentToolUseId === null ? lastToolOf(decoded) : undefined;
        if (tool !== undefined) become({ kind: "tool", toolName: tool });
        return;
      }
      case "user":
        if (decoded.parentToolUseId === null && decoded.isReplay !== true && decoded.content.some((block) => block.type === "tool_result")) become({ kind: "model" });
        return;
      case "control_request":
        if (decoded.request.subtype !== "can_use_tool") return;
        asked.set(decoded.requestId, decoded.request.toolName);
        become({ kind: "approval", requestId: decoded.requestId, toolName: decoded.request.toolName });
        return;
      case "control_cancel_request":
        answered(decoded.requestId, false);
        return;
      case "system":
        if (!decoded.known) return;
        if (decoded.subtype === "api_retry") become({ kind: "retrying", attempt: decoded.attempt, maxRetries: decoded.maxRetries, retryDelayMs: decoded.retryDelayMs });
        else if (decoded.subtype === "status") become(decoded.status === "compacting" ? { kind: "compacting" } : { kind: "model" });
        else if (decoded.subtype === "compact_boundary") become({ kind: "model" });
        return;
      default:
        return;
    }
  };

  return {
    line,
    answered,
    /** Writes the first state at once (the job started). */
    start: () => flush(),
    /** The job ended: its state goes. */
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await writing;
      await states.clear(sessionId).catch(() => undefined);
    },
  };
};
