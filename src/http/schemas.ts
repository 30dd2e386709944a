import { z } from "zod";
import { permissionDecisions, sessionStatuses } from "../../events/statuses.ts";
import { Permission, Prompt, Session } from "../../projections/sessions/views.ts";
import { CliOptions } from "../claude/cliOptions.ts";

/**
 * The HTTP shapes (zod): request validation, response serialisation and the OpenAPI document
 * all come from here, with the views the read side returns (`projections/sessions/views.ts`).
 * camelCase, as the original backend.
 */
export { Permission, Prompt, Session } from "../../projections/sessions/views.ts";
export const SessionStatus = z.enum(sessionStatuses);

/** `<partition>:<ms>-<seq>`: where an event sits in its partition log. */
export const PositionText = z
  .string()
  .regex(/^\d{1,5}:\d{1,20}-\d{1,20}$/, "a position looks like <partition>:<ms>-<seq>")
  .describe("Position of the write's last event; pass it back as minPosition to read your write");

const Metadata = z.record(z.string(), z.unknown());
const Timestamp = z.string().describe("ISO 8601");

export const SessionParams = z.object({ sessionId: z.uuid() });
export const PromptParams = z.object({ sessionId: z.uuid(), promptId: z.uuid() });

/** Every GET takes minPosition (or the X-Min-Position header) for read-your-writes. */
export const FreshQuery = z.object({ minPosition: PositionText.optional() });

const MachineId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "1-64 letters, digits, '.', '_' or '-'");

export const Machine = z.object({
  id: z.string(),
  name: z.string(),
  online: z.boolean().describe("A runner of the machine beat within the last three heartbeats (MACHINE_HEARTBEAT_MS)"),
  lastSeenAt: Timestamp,
  cliVersion: z.string().nullable().describe("The Claude Code CLI the machine runs (null: none found)"),
  capacity: z.number().int().describe("CLI processes its runners run at once"),
  runningJobs: z.number().int(),
});

export const MachineList = z.object({ machines: z.array(Machine) });

export const MachineParams = z.object({ machineId: MachineId });

export const MachineRepositories = z.object({
  machineId: z.string(),
  reposDirectory: z.string().describe("The machine's GITHUB_REPOS_DIRECTORY"),
  repositories: z.array(z.object({ name: z.string(), path: z.string() })).describe("The folders in it, as its runner last published them"),
});

export const SessionWritten = Session.extend({ position: PositionText.nullable() });

/** Text Postgres can store: NUL is refused here rather than poisoning a read model later. */
const Text = z.string().refine((value) => !value.includes("\u0000"), { message: "must not contain NUL characters" });
const noNul = (value: unknown) => !JSON.stringify(value ?? null).includes("\\u0000");

export const CreateSessionBody = z
  .object({
    projectPath: z.string().min(1).max(4096).optional().describe("Absolute path inside GITHUB_REPOS_DIRECTORY"),
    folderName: z.string().min(1).max(1024).optional().describe("A folder inside GITHUB_REPOS_DIRECTORY"),
    machineId: MachineId.optional()
      .describe("The machine to run on (GET /api/claude-code/machines); required when several are registered and the api's own host runs none. The folder must be one of its repositories"),
    context: Text.max(100_000).nullable().optional(),
    metadata: Metadata.refine(noNul, { message: "must not contain NUL characters" }).optional(),
    claudeSessionId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, "letters, digits, '-' and '_' only").optional()
      .describe("Continue a conversation begun at the terminal (GET /api/claude-code/history/sessions): it must be one of this project's; its earlier turns come along and the first prompt resumes it"),
  })
  .refine((body) => (body.projectPath === undefined) !== (body.folderName === undefined), {
    message: "give exactly one of projectPath and folderName",
  });

/** CLI options a prompt may carry (or a session's metadata give as defaults): checked here, as the runner would. */
export const PromptOptionsBody = CliOptions.describe("CLI options for this prompt; they override the session's metadata");

export const UpdateSessionBody = z
  .object({
    context: Text.max(100_000).nullable().optional(),
    metadata: Metadata.refine(noNul, { message: "must not contain NUL characters" }).optional()
      .describe("A JSON merge patch of the metadata: keys given replace, null deletes; CLI option keys are validated"),
    status: SessionStatus.optional(),
    permissionRules: z.array(z.string().min(1).max(200)).max(100).optional().describe("Sets the \"always allow\" rules (to remove some)"),
  })
  .refine((body) => body.context !== undefined || body.metadata !== undefined || body.status !== undefined || body.permissionRules !== undefined, {
    message: "give at least one of context, metadata, status, permissionRules",
  });

/** A boolean in a query string. */
export const BooleanText = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

export const ListSessionsQuery = FreshQuery.extend({
  status: SessionStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  includeUnlinked: BooleanText.default(false).describe("List sessions not linked to a Claude session too"),
});

export const SessionList = z.object({ sessions: z.array(Session), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export const SessionDeleted = z.object({ success: z.literal(true), sessionId: z.string(), position: PositionText.nullable() });

export const EnqueuePromptBody = z.object({
  prompt: Text.min(1).describe("Limited to PROMPT_MAX_CHARS characters (413 prompt_too_long above)"),
  projectPath: z.string().min(1).max(4096).optional().describe("Overrides the session's folder for this prompt; same confinement"),
  options: PromptOptionsBody.optional(),
  deliveryMode: z.enum(["queue", "steer"]).default("queue")
    .describe("queue: runs after what is ahead; steer: written into the running turn at once (queued when nothing runs)"),
});

export const IdempotencyHeaders = z.object({
  "idempotency-key": z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, "1-128 letters, digits, '.', '_', ':' or '-'").optional(),
});

export const PromptAccepted = z.object({
  promptId: z.string(),
  messageId: z.string(),
  sessionId: z.string(),
  status: z.enum(["queued", "running"]).describe("running: the session was idle, the prompt starts at once (or it steers the running turn)"),
  queuePosition: z.number().int().describe("Prompts ahead of this one (0: none; it runs now unless its machine is offline)"),
  steeringJobId: z.string().nullable().describe("The running job this prompt is written into (deliveryMode steer while a turn runs), else null"),
  machineOnline: z.boolean().nullable().describe("Whether the session's machine is online; while it is not, the prompt waits queued (null: a session of no machine, or one no runner has registered yet)"),
  position: PositionText.nullable(),
});

export const PromptList = z.object({ prompts: z.array(Prompt) });

export const PromptCancelled = z.object({
  promptId: z.string(),
  sessionId: z.string(),
  status: z.enum(["cancelled", "cancel_requested"]).describe("cancel_requested: it was running; the runner stops it"),
  position: PositionText.nullable(),
});

export const PermissionParams = z.object({ sessionId: z.uuid(), requestId: z.string().min(1).max(200) });

export const PermissionList = z.object({ permissions: z.array(Permission) });

export const PermissionDecided = Permission.extend({ position: PositionText.nullable().describe("null when the answer was already recorded (nothing appended)") });

export const DecidePermissionBody = z.object({
  decision: z.enum(permissionDecisions),
  message: Text.max(10_000).optional().describe("Told to the model with a deny (why not)"),
  updatedInput: Metadata.refine(noNul, { message: "must not contain NUL characters" }).optional().describe("Run the tool with this input instead"),
  answers: z.record(Text.max(10_000), Text.max(10_000)).optional().describe("A question's answers: question text → chosen option or free text"),
  permissionMode: z.enum(["default", "acceptEdits", "plan", "bypassPermissions", "dontAsk"]).optional()
    .describe("Leaving a plan: the permission mode to continue in"),
});

export const ProblemBody = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  requestId: z.string(),
});

/** The error answers every protected route may give, for the OpenAPI document. */
export const commonErrors = { 400: ProblemBody, 401: ProblemBody, 429: ProblemBody } as const;
