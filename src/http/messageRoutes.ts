import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../commands/errors.ts";
import type { AppDeps } from "./deps.ts";
import { freshRead } from "./freshness.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

const tags = ["sessions"];
const security = [{ bearerAuth: [] }];

const Message = z.object({
  id: z.string(),
  sessionId: z.string(),
  seq: z.number().int().describe("Per-session sequence number: the paging cursor"),
  type: z.enum(["user", "assistant"]),
  text: z.string().describe("The plain text of the message's text blocks"),
  promptId: z.string().nullable(),
  claudeSessionId: z.string().nullable(),
  content: z.array(z.record(z.string(), z.unknown()))
    .describe("Ordered content blocks (text, thinking, tool_use, tool_result, ...); oversized ones carry truncated: true and originalBytes"),
  createdAt: z.string(),
});

const MessagesQuery = S.FreshQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().min(1).optional().describe("Messages with seq below this, newest first"),
  after: z.coerce.number().int().min(0).optional().describe("Messages with seq above this, oldest first"),
}).refine((query) => query.before === undefined || query.after === undefined, { message: "give before or after, not both" });

const MessagePage = z.object({
  messages: z.array(Message),
  hasMore: z.boolean(),
  /** The cursor for the next page in the same direction, or null at the end. */
  nextCursor: z.number().int().nullable(),
});

/**
 * A session's conversation, page by page: newest first by default (`before` pages back), or
 * oldest first from `after` (catching up after the last message the phone has).
 */
export const messageRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { config, reads } = deps;
  app.get("/api/claude-code/sessions/:sessionId/messages", {
    schema: { tags, security, params: S.SessionParams, querystring: MessagesQuery, response: { 200: MessagePage, ...S.commonErrors, 404: S.ProblemBody } },
    config: limitFor(config, "reads"),
    preHandler: freshRead(reads, config.READ_WAIT_MS),
  }, async (request) => {
    const { sessionId } = request.params;
    const { limit, before, after } = request.query;
    if (!(await reads.getSession(sessionId))) throw new DomainError("session_not_found", `session ${sessionId} not found`, { sessionId });
    // One extra row tells whether another page exists without a count query.
    const rows = await reads.listMessages(sessionId, { limit: limit + 1, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
    const messages = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    return { messages: messages.map((message) => ({ ...message, content: [...message.content] })), hasMore, nextCursor: hasMore ? (messages.at(-1)?.seq ?? null) : null };
  });
};
