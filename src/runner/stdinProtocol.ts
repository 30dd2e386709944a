import { randomUUID } from "node:crypto";
import type { Writable } from "node:stream";

/**
 * What the runner writes to the CLI's stdin with `--input-format stream-json`
 * (claude-code-control-protocol.md §1): one JSON object per line. Prompts are `user` lines; an
 * approval answers a `control_request/can_use_tool` by its request id; an interrupt is our own
 * `control_request`. Closing stdin once every turn has its `result` lets the CLI exit.
 */
export const userMessageLine = (text: string): string =>
  `${JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "text", text }] }, parent_tool_use_id: null, session_id: "" })}\n`;

export type PermissionAnswer =
  | { readonly behavior: "allow"; readonly updatedInput: Readonly<Record<string, unknown>>; readonly updatedPermissions?: readonly unknown[] }
  | { readonly behavior: "deny"; readonly message: string; readonly interrupt?: boolean };

export const permissionResponseLine = (requestId: string, answer: PermissionAnswer): string =>
  `${JSON.stringify({ type: "control_response", response: { subtype: "success", request_id: requestId, response: answer } })}\n`;

/** Ends the current turn like Esc in the terminal: the CLI still prints the turn's `result`. */
export const interruptLine = (): string =>
  `${JSON.stringify({ type: "control_request", request_id: `req_interrupt_${randomUUID()}`, request: { subtype: "interrupt" } })}\n`;

/** A line to a CLI that may have exited already: a failed write is not an error of the job. */
export const writeLine = (stdin: Writable, line: string): boolean => {
  if (stdin.destroyed || stdin.writableEnded) return false;
  stdin.write(line);
  return true;
};

export const closeInput = (stdin: Writable): void => {
  if (!stdin.destroyed && !stdin.writableEnded) stdin.end();
};
