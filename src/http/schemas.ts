import { z } from "zod";

/**
 * The HTTP shapes (zod): request validation, response serialisation and the OpenAPI document
 * all come from here. camelCase, as the original backend.
 */
export const SessionStatus = z.enum(["active", "inactive", "archived"]);
export const JobStatus = z.enum(["completed", "failed", "cancelled"]);
export const PromptStatus = z.enum(["queued", "running", "completed", "failed", "cancelled"]);

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

export const Session = z.object({
  id: z.string(),
  projectPath: z.string(),
  context: z.string().nullable(),
  status: SessionStatus,
  claudeDirectoryPath: z.string(),
  claudeCodeSessionId: z.string().nullable(),
  metadata: Metadata,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastAccessedAt: Timestamp,
  isWorking: z.boolean(),
  currentJobId: z.string().nullable(),
  lastJobStatus: JobStatus.nullable(),
});

export const SessionWritten = Session.extend({ position: PositionText.nullable() });

/** Text Postgres can store: NUL is refused here rather than poisoning a read model later. */
const Text = z.string().refine((value) => !value.includes("\u0000"), { message: "must not contain NUL characters" });
const noNul = (value: unknown) => !JSON.stringify(value ?? null).includes("\\u0000");

export const CreateSessionBody = z
  .object({
    projectPath: z.string().min(1).max(4096).optional().describe("Absolute path inside GITHUB_REPOS_DIRECTORY"),
    folderName: z.string().min(1).max(1024).optional().describe("A folder inside GITHUB_REPOS_DIRECTORY"),
    context: Text.max(100_000).nullable().optional(),
    metadata: Metadata.refine(noNul, { message: "must not contain NUL characters" }).optional(),
  })
  .refine((body) => (body.projectPath === undefined) !== (body.folderName === undefined), {
    message: "give exactly one of projectPath and folderName",
  });

export const UpdateSessionBody = z
  .object({
    context: Text.max(100_000).nullable().optional(),
    metadata: Metadata.refine(noNul, { message: "must not contain NUL characters" }).optional(),
    status: SessionStatus.optional(),
  })
  .refine((body) => body.context !== undefined || body.metadata !== undefined || body.status !== undefined, {
    message: "give at least one of context, metadata, status",
  });

const booleanText = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

export const ListSessionsQuery = FreshQuery.extend({
  status: SessionStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  includeUnlinked: booleanText.default(false).describe("List sessions not linked to a Claude session too"),
});

export const SessionList = z.object({ sessions: z.array(Session), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export const SessionDeleted = z.object({ success: z.literal(true), sessionId: z.string(), position: PositionText.nullable() });

export const EnqueuePromptBody = z.object({
  prompt: Text.min(1).describe("Limited to PROMPT_MAX_CHARS characters (413 prompt_too_long above)"),
  projectPath: z.string().min(1).max(4096).optional().describe("Overrides the session's folder for this prompt; same confinement"),
});

export const IdempotencyHeaders = z.object({
  "idempotency-key": z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, "1-128 letters, digits, '.', '_', ':' or '-'").optional(),
});

export const PromptAccepted = z.object({
  promptId: z.string(),
  messageId: z.string(),
  sessionId: z.string(),
  status: z.enum(["queued", "running"]).describe("running: the session was idle, the prompt starts at once"),
  queuePosition: z.number().int().describe("Prompts ahead of this one (0: it runs now)"),
  position: PositionText.nullable(),
});

export const Prompt = z.object({
  promptId: z.string(),
  sessionId: z.string(),
  messageId: z.string(),
  prompt: z.string(),
  status: PromptStatus,
  queuePosition: z.number().int().nullable(),
  jobId: z.string().nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  exitCode: z.number().nullable(),
  costUsd: z.number().nullable(),
  usage: Metadata.nullable(),
  numTurns: z.number().nullable(),
  durationMs: z.number().nullable(),
  error: z.string().nullable(),
});

export const PromptList = z.object({ prompts: z.array(Prompt) });

export const PromptCancelled = z.object({
  promptId: z.string(),
  sessionId: z.string(),
  status: z.enum(["cancelled", "cancel_requested"]).describe("cancel_requested: it was running; the runner stops it"),
  position: PositionText.nullable(),
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
