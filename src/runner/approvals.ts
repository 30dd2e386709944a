import type { Logger } from "pino";
import type { SessionCommand } from "../../commands/session/index.ts";
import type { CanUseToolRequest } from "../claude/controlMessages.ts";
import { toError } from "../errors.ts";
import type { RecordedDecision } from "../../commands/session/index.ts";
import type { PermissionAnswer } from "./stdinProtocol.ts";

/**
 * One job's side of the approval protocol: each `can_use_tool` the CLI prints becomes a
 * RequestPermission; the phone's decision (from the log) goes back as a `control_response`; a
 * request nobody answers within the timeout is recorded as expired and answered "no" (expiry
 * never fails open); a request the CLI withdraws is recorded as cancelled.
 */
export interface ApprovalsDeps {
  readonly jobId: string;
  /** Records a command in order with the job's output. */
  readonly submit: (command: SessionCommand) => unknown;
  /** Records the expiry; true when it was recorded (the request was still pending, nobody answered first). */
  readonly expire: (requestId: string, message: string) => Promise<boolean>;
  /** Writes a line to the CLI's stdin; false when it is gone. */
  readonly write: (answer: { requestId: string; answer: PermissionAnswer }) => boolean;
  /** 0 waits for ever. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

type Asked = { readonly request: CanUseToolRequest; timer?: NodeJS.Timeout };

const RETRY_EXPIRY_MS = 5000;
const MODEL_INPUTS_KEPT = 64;

/**
 * What the phone is shown. CLI 2.1 asks ExitPlanMode with an empty input (it keeps the plan in a
 * file of its own); the plan the model wrote is in its tool_use block, so it is taken from there.
 */
const withPlan = (request: CanUseToolRequest, modelInput: unknown): CanUseToolRequest["input"] => {
  if (request.toolName !== "ExitPlanMode" || typeof request.input["plan"] === "string") return request.input;
  const plan = (modelInput as { plan?: unknown } | undefined)?.plan;
  return typeof plan === "string" ? { ...request.input, plan } : request.input;
};

/** What the CLI is told: an allow always carries `updatedInput` (some CLI versions refuse one without). */
export const answerOf = (request: CanUseToolRequest, decision: RecordedDecision): PermissionAnswer => {
  if (decision.behavior === "deny") return { behavior: "deny", message: decision.message ?? "The person declined this from their phone." };
  const updatedInput = decision.updatedInput ?? (decision.answers ? { ...request.input, answers: decision.answers } : request.input);
  const remembered = request.permissionSuggestions?.length
    ? request.permissionSuggestions
    : [{ type: "addRules", rules: [{ toolName: request.toolName }], behavior: "allow", destination: "session" }];
  const updatedPermissions = decision.always === true ? remembered
    : decision.permissionMode !== undefined ? [{ type: "setMode", mode: decision.permissionMode, destination: "session" }]
    : undefined;
  return { behavior: "allow", updatedInput, ...(updatedPermissions ? { updatedPermissions } : {}) };
};

export const createApprovals = (deps: ApprovalsDeps) => {
  const asked = new Map<string, Asked>();

  const settle = (requestId: string) => {
    clearTimeout(asked.get(requestId)?.timer);
    asked.delete(requestId);
  };

  const expireLater = (requestId: string, delay: number) => {
    const entry = asked.get(requestId);
    if (entry === undefined || deps.timeoutMs <= 0) return;
    entry.timer = setTimeout(() => void expireNow(requestId), delay);
    entry.timer.unref();
  };

  const expireNow = async (requestId: string) => {
    const message = `This request expired: nobody answered within ${Math.round(deps.timeoutMs / 1000)} s, so the answer is no.`;
    try {
      if (await deps.expire(requestId, message)) deps.write({ requestId, answer: { behavior: "deny", message } });
      settle(requestId);
    } catch (error) {
      // The store is away: the request stays pending; try again shortly.
      deps.logger.warn({ requestId, err: toError(error).message }, "could not record an expired permission request; retrying");
      expireLater(requestId, RETRY_EXPIRY_MS);
    }
  };

  /** The model's own tool_use inputs by id (the newest few): what a request that lacks it is shown with. */
  const modelInputs = new Map<string, unknown>();

  return {
    /** The model asked for a tool (an assistant tool_use block). */
    toolUse: (toolUseId: string, input: unknown) => {
      modelInputs.set(toolUseId, input);
      if (modelInputs.size > MODEL_INPUTS_KEPT) modelInputs.delete(modelInputs.keys().next().value as string);
    },
    request: (requestId: string, request: CanUseToolRequest) => {
      if (asked.has(requestId)) return;
      asked.set(requestId, { request });
      const { toolName, toolUseId, permissionSuggestions, description } = request;
      const input = withPlan(request, toolUseId === undefined ? undefined : modelInputs.get(toolUseId));
      deps.submit({
        type: "RequestPermission",
        data: {
          jobId: deps.jobId, requestId, toolName, input,
          ...(toolUseId ? { toolUseId } : {}), ...(permissionSuggestions ? { suggestions: permissionSuggestions } : {}), ...(description ? { description } : {}),
        },
      });
      expireLater(requestId, deps.timeoutMs);
    },
    /** The CLI withdrew it (control_cancel_request): no answer is written any more. */
    withdrawn: (requestId: string) => {
      if (!asked.has(requestId)) return;
      settle(requestId);
      deps.submit({ type: "CancelPermission", data: { requestId } });
    },
    /** The phone's decision, as the log recorded it. False when the request is not this job's any more. */
    answer: (requestId: string, decision: RecordedDecision): boolean => {
      const entry = asked.get(requestId);
      if (entry === undefined) return false;
      settle(requestId);
      return deps.write({ requestId, answer: answerOf(entry.request, decision) });
    },
    stop: () => {
      for (const requestId of [...asked.keys()]) settle(requestId);
    },
  };
};

export type Approvals = ReturnType<typeof createApprovals>;
