import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { limitFor, type Limits } from "./rateLimit.ts";
import type { HistoryService } from "../history/historyService.ts";
import { requireReadModels } from "./freshness.ts";
import type { SessionReads } from "./sessionReads.ts";

/**
 * Claude Code's own transcripts (`~/.claude/projects`), read from the history index: projects,
 * sessions, one session's metadata and its messages page by page (newest page first, `before`
 * is the line number cursor the previous page returned).
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

const Message = z.object({
  lineNo: z.number().int(),
  uuid: z.string().nullable(),
  parentUuid: z.string().nullable(),
  type: z.string(),
  timestamp: z.string().nullable(),
  isSidechain: z.boolean(),
  truncated: z.boolean(),
  bytes: z.number().int(),
  line: z.record(z.string(), z.unknown()).nullable(),
});

const Problem = z.object({ code: z.string() }).loose();

const SessionsQuery = z.object({
  projectPath: z.string().min(1).max(4096).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const MessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(0).optional(),
  thread: z.enum(["main", "all"]).default("main"),
});

export const historyRoutes: FastifyPluginAsyncZod<{ history: HistoryService; limits: Limits; reads: Pick<SessionReads, "ready"> }> = async (app, { history, limits, reads }) => {
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
        200: z.object({ messages: z.array(Message), hasMore: z.boolean(), nextBefore: z.number().int().nullable() }),
        404: Problem,
        410: Problem,
      },
    },
  }, async (request) => history.getMessages(request.params.claudeSessionId, request.query));
};
