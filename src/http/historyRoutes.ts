import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { limitFor, type Limits } from "./rateLimit.ts";
import type { TranscriptService } from "../transcripts/transcriptService.ts";
import { requireReadModels } from "./freshness.ts";
import type { SessionReads } from "../readModels/sessionReads.ts";
import { ContentBlocks } from "../../projections/sessions/views.ts";

/**
 * Claude Code's own transcripts (`~/.claude/projects`), read from the transcript index: projects,
 * sessions, one session's metadata and its messages page by page (newest page first; `before`
 * is the `nextBefore` cursor the previous page returned).
 */
const SessionId = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "letters, digits, '-' and '_' only");

const Project = z.object({ projectPath: z.string(), sessionCount: z.number().int(), lastTimestamp: z.string().nullable() });

const SessionMeta = z.object({
  claudeSessionId: z.string(),
  projectPath: z.string().nullable(),
  title: z.string().nullable(),
  summary: z.string().nullable(),
  firstPrompt: z.string().nullable(),
  lastPrompt: z.string().nullable(),
  firstTimestamp: z.string().nullable(),
  lastTimestamp: z.string().nullable(),
  messageCount: z.number().int(),
  lineCount: z.number().int(),
  invalidLines: z.number().int(),
  unknownLines: z.number().int(),
  truncatedLines: z.number().int(),
  sizeBytes: z.number().int(),
  cliVersion: z.string().nullable(),
  gitBranch: z.string().nullable(),
});

const SessionDetail = SessionMeta.extend({
  subagents: z.array(z.object({ agentId: z.string().nullable(), toolUseId: z.string().nullable(), messageCount: z.number().int() })),
});

/** A transcript line: its place in the conversation graph, and its content as session messages hold theirs. */
const TranscriptMessage = z.object({
  lineNo: z.number().int().describe("Line number in its transcript file (the session's own, or its subagent's: see agentId)"),
  uuid: z.string().nullable(),
  parentUuid: z.string().nullable(),
  type: z.string().describe("user, assistant, system, attachment, progress; truncated for a line over the size limit (never read)"),
  subtype: z.string().nullable().describe("The system line's subtype (compact_boundary, ...), the attachment's or the progress data's type"),
  timestamp: z.string().nullable(),
  isSidechain: z.boolean(),
  isMeta: z.boolean().describe("Text the CLI injected (caveats, reminders), not typed by anyone"),
  agentId: z.string().nullable().describe("The subagent whose transcript holds the line; null in the session's own file"),
  apiMessageId: z.string().nullable().describe("Shared by the lines of one API response (the CLI writes one line per content block)"),
  truncated: z.boolean(),
  bytes: z.number().int(),
  text: z.string().describe("The plain text of the message's text blocks"),
  content: ContentBlocks,
});

const Problem = z.object({ code: z.string() }).loose();

const SessionsQuery = z.object({
  projectPath: z.string().min(1).max(4096).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const MessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(0).optional().describe("The nextBefore of the previous page: the page before it"),
  thread: z.enum(["main", "all"]).default("main")
    .describe("main: the current conversation; all: every line of the session and its subagents (branches, sidechains), each file in its order, merged by time"),
});

export const historyRoutes: FastifyPluginAsyncZod<{ history: TranscriptService; limits: Limits; reads: Pick<SessionReads, "ready"> }> = async (app, { history, limits, reads }) => {
  const tags = ["history"];
  // Transcripts are files on the machine that ran the CLI: these routes serve this api host's only.
  const description = "History is per machine: these routes read the Claude Code transcripts of the host this api runs on (its CLAUDE_CONFIG_DIR). Sessions that ran on another machine keep their transcripts there; their conversation is in the session's events and messages routes.";
  // The history index lives in Postgres.
  app.addHook("preHandler", async () => requireReadModels(reads));
  // History reads parse files on disk: they count against the token's read budget.
  const config = limitFor(limits, "reads");

  app.get("/api/claude-code/history/projects", {
    config,
    schema: { tags, description, response: { 200: z.object({ projects: z.array(Project) }) } },
  }, async () => ({ projects: await history.listProjects() }));

  app.get("/api/claude-code/history/sessions", {
    config,
    schema: { tags, description, querystring: SessionsQuery, response: { 200: z.object({ sessions: z.array(SessionMeta), total: z.number().int() }) } },
  }, async (request) => history.listSessions(request.query));

  app.get("/api/claude-code/history/sessions/:claudeSessionId", {
    config,
    schema: { tags, description, params: z.object({ claudeSessionId: SessionId }), response: { 200: SessionDetail, 404: Problem, 410: Problem } },
  }, async (request) => history.getSession(request.params.claudeSessionId));

  app.get("/api/claude-code/history/sessions/:claudeSessionId/messages", {
    config,
    schema: {
      description,
      tags,
      params: z.object({ claudeSessionId: SessionId }),
      querystring: MessagesQuery,
      response: {
        200: z.object({ messages: z.array(TranscriptMessage), hasMore: z.boolean(), nextBefore: z.number().int().nullable() }),
        404: Problem,
        410: Problem,
      },
    },
  }, async (request) => history.getMessages(request.params.claudeSessionId, request.query));
};
