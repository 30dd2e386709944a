import type { Writable } from "node:stream";

/**
 * What the runner writes to the CLI's stdin with `--input-format stream-json`
 * (claude-code-formats.md §2.8): one JSON object per line. The prompt goes first; a tool
 * approval answers a `control_request/can_use_tool` by its request id. Closing stdin after the
 * turn's `result` lets the CLI exit.
 */
export const userMessageLine = (text: string): string =>
  `${JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "text", text }] }, parent_tool_use_id: null, session_id: "" })}\n`;

export type PermissionAnswer =
  | { readonly behavior: "allow"; readonly updatedInput: Readonly<Record<string, unknown>> }
  | { readonly behavior: "deny"; readonly message: string; readonly interrupt?: boolean };

export const permissionResponseLine = (requestId: string, answer: PermissionAnswer): string =>
  `${JSON.stringify({ type: "control_response", response: { subtype: "success", request_id: requestId, response: answer } })}\n`;

/** A line to a CLI that may have exited already: a failed write is not an error of the job. */
export const writeLine = (stdin: Writable, line: string): boolean => {
  if (stdin.destroyed || stdin.writableEnded) return false;
  stdin.write(line);
  return true;
};

export const closeInput = (stdin: Writable): void => {
  if (!stdin.destroyed && !stdin.writableEnded) stdin.end();
};
