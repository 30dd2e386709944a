import type { DecodedEvent, KnownEvent } from "../../events/registry.ts";
import type { PushPayload, PushTrigger } from "./tables.ts";

/** An event that may notify someone, before its prompt is known (a permission request names its job only). */
export interface Trigger {
  readonly trigger: PushTrigger;
  readonly sessionId: string;
  readonly promptId: string | null;
  readonly jobId: string;
  readonly requestId?: string;
  readonly title: string;
  readonly body: string;
}

const MAX_TITLE = 120;
const MAX_BODY = 400;

/** Cut to `max` characters (by code point, so no half of a surrogate pair is sent). */
const clip = (text: string, max: number): string => {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
};

const field = (input: unknown, name: string): string | undefined => {
  const value = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : undefined;
};

/** The first question of an AskUserQuestion input. */
const firstQuestion = (input: unknown): string | undefined => {
  const questions = typeof input === "object" && input !== null ? (input as { questions?: unknown }).questions : undefined;
  return Array.isArray(questions) ? field(questions[0], "question") : undefined;
};

const permissionTrigger = (event: Extract<KnownEvent, { type: "PermissionRequested" }>): Trigger => {
  const { data } = event;
  const base = { sessionId: event.sessionId, promptId: null, jobId: data.jobId, requestId: data.requestId };
  switch (data.kind) {
    case "question":
      return { ...base, trigger: "permission_question", title: "Claude has a question", body: firstQuestion(data.input) ?? data.description ?? "Open the session to answer" };
    case "plan":
      return { ...base, trigger: "permission_plan", title: "Claude has a plan for you", body: field(data.input, "plan") ?? "Open the session to review it" };
    case "tool": {
      const what = data.description ?? field(data.input, "command") ?? field(data.input, "file_path") ?? field(data.input, "url") ?? "Open the session to allow or deny it";
      return { ...base, trigger: "permission_tool", title: `Claude wants to use ${data.toolName}`, body: what };
    }
    default: {
      const unhandled: never = data.kind;
      throw new Error(`no push for permission kind ${String(unhandled)}`);
    }
  }
};

/** What an event notifies, or null for the events that notify nobody. Decode first; then every type is handled here. */
export const triggerOf = (event: DecodedEvent): Trigger | null => {
  if (!event.known) return null;
  switch (event.type) {
    case "PermissionRequested":
      return permissionTrigger(event);
    case "JobCompleted":
      return {
        trigger: "job_completed", sessionId: event.sessionId, promptId: event.data.promptId, jobId: event.data.jobId,
        title: event.data.isError ? "Claude finished with an error" : "Claude finished", body: event.data.resultText ?? "The prompt is done",
      };
    case "JobFailed":
      return {
        trigger: "job_failed", sessionId: event.sessionId, promptId: event.data.promptId, jobId: event.data.jobId,
        title: "Claude's job failed", body: event.data.message === undefined ? event.data.reason : `${event.data.reason}: ${event.data.message}`,
      };
    case "SessionCreated":
    case "SessionUpdated":
    case "SessionDeleted":
    case "ClaudeSessionLinked":
    case "TurnsImported":
    case "ConversationReset":
    case "PromptEnqueued":
    case "PromptSteered":
    case "PromptCancelRequested":
    case "PromptCancelled":
    case "JobStarted":
    case "RunnerEventEmitted":
    case "JobCancelled":
    case "PermissionDecided":
    case "PermissionExpired":
    case "PermissionCancelled":
    case "PermissionRulesSet":
      return null;
    default: {
      const unhandled: never = event;
      throw new Error(`the notifier has no reaction to ${(unhandled as { type: string }).type}`);
    }
  }
};

/** The payload sent: small (well under the 4 KB a Web Push message may carry). */
export const payloadOf = (trigger: Trigger, promptId: string | null): PushPayload => ({
  type: trigger.trigger,
  sessionId: trigger.sessionId,
  promptId,
  ...(trigger.requestId === undefined ? {} : { requestId: trigger.requestId }),
  title: clip(trigger.title, MAX_TITLE),
  body: clip(trigger.body, MAX_BODY),
});
