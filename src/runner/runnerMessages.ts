import type { OversizedInvalidLine } from "../claude/decodeStream.ts";
import { isObject } from "../claude/jsonGuards.ts";
import type { DecodedLine, ResultLine } from "../claude/streamJson.ts";
import { truncateLargeToolResults } from "../claude/truncateToolResults.ts";
import type { CompleteJob } from "../../commands/session/index.ts";

/**
 * How a decoded CLI line is stored in `RunnerEventEmitted.message`: the line's own JSON
 * (unknown fields kept), with oversized tool results replaced by `{ truncated, originalBytes,
 * sha256 }`. A line over the line limit keeps only that marker; a line that is not JSON keeps
 * its text (already bounded by the line limit).
 */
const INVALID_TEXT_CHARS = 64 * 1024;

const isOversized = (line: DecodedLine): line is OversizedInvalidLine => line.kind === "invalid" && "sha256" in line;

/** The `type` a cut-off line announced in its first bytes, when it did so early. */
const typeFromHead = (head: unknown): string | undefined =>
  typeof head === "string" ? /^\{\s*"type"\s*:\s*"([a-z_]{1,40})"/.exec(head)?.[1] : undefined;

export const storedMessage = (line: DecodedLine, maxToolResultBytes: number): Record<string, unknown> => {
  if (isOversized(line)) {
    const type = typeFromHead(line.raw);
    return { truncated: true, originalBytes: line.originalBytes, sha256: line.sha256, reason: line.reason, ...(type ? { type } : {}) };
  }
  if (line.kind === "invalid") {
    if (isObject(line.raw)) return { ...truncateLargeToolResults(line.raw, maxToolResultBytes), invalidReason: line.reason };
    const text = typeof line.raw === "string" ? line.raw : JSON.stringify(line.raw);
    return { invalid: true, reason: line.reason, text: (text ?? "").slice(0, INVALID_TEXT_CHARS) };
  }
  return truncateLargeToolResults(line.raw, maxToolResultBytes);
};

/** The stored kind: `oversized` when only the marker survives, else the decoder's kind. */
export const storedKind = (line: DecodedLine): string => (isOversized(line) ? "oversized" : line.kind);

/**
 * The Claude session id to link, from the first line that proves the conversation is on disk.
 * Not from `init`: the CLI (2.0.77) writes the transcript only once a model reply is complete,
 * so a first turn cancelled mid-stream leaves an id that `--resume` rejects with "No
 * conversation found with session ID". An assistant, user or result line comes after that write.
 */
export const persistedSessionIdOf = (line: DecodedLine): string | undefined =>
  (line.kind === "assistant" || line.kind === "user" || line.kind === "result") && line.sessionId !== undefined && line.sessionId.length > 0
    ? line.sessionId
    : undefined;

/** A turn's `result` as the JobCompleted fields. */
export const completion = (jobId: string, result: ResultLine, exitCode: number | null): CompleteJob["data"] => ({
  jobId,
  resultSubtype: result.subtype,
  isError: result.isError,
  exitCode,
  costUsd: result.costUsd,
  numTurns: result.numTurns,
  durationMs: result.durationMs,
  ...(result.usage !== undefined ? { usage: result.usage } : {}),
  ...(result.result !== undefined ? { resultText: result.result } : {}),
});

/** System subtypes and line types that only say how a turn is going (CLI 2.0/2.1): live, never stored. */
const PROGRESS_SUBTYPES = new Set(["status", "thinking_tokens", "task_progress"]);
const PROGRESS_TYPES = new Set(["tool_progress", "keep_alive", "rate_limit_event", "command_lifecycle"]);

/**
 * Lines that are progress noise (typing deltas, status, thinking-token counts, keep-alives,
 * protocol replies, the CLI's acknowledgement of a prompt we wrote: its text is already in
 * PromptEnqueued) go to the live channel only: the hash-chained log keeps what matters.
 */
export const isLiveOnly = (line: DecodedLine): boolean =>
  line.kind === "stream_event" || line.kind === "control_response" || (line.kind === "user" && line.isReplay === true) ||
  (line.kind === "system" && PROGRESS_SUBTYPES.has(line.subtype)) ||
  (line.kind === "unknown" && PROGRESS_TYPES.has(line.type));
