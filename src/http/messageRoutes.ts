import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../commands/errors.ts";
import type { AppDeps } from "./deps.ts";
import { freshRead } from "./freshness.ts";
import { limitFor } from "./rateLimit.ts";
import { Message } from "../../projections/sessions/views.ts";
import * as S from "./schemas.ts";

const tags = ["sessions"];
const security = [{ bearerAuth: [] }];

const MessagesQuery = S.FreshQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().min(1).optional().describe("Messages with seq below this, newest first"),
  after: z.coerce.number().int().min(0).optional().describe("Messages with seq above this, oldest first"),
  includeCancelled: S.BooleanText.default(false).describe("Show prompts cancelled before they ran, where they were cancelled"),
}).refine((query) => query.before === undefined || query.after === undefined, { message: "give before or after, not both" });

const MessagePage = z.object({
  messages: z.array(Message),
  hasMore: z.boolean(),
  /** The cursor for the next page in the same direction, or null at the end. */
  nextCursor: z.number().int().nullable(),
  queued: z.array(Message).describe("Prompts waiting in the queue, in queue order (on pages that reach the newest end): not in the conversation yet"),
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
    const { limit, before, after, includeCancelled } = request.query;
    if (!(await reads.getSession(sessionId))) throw new DomainError("session_not_found", `session ${sessionId} not found`, { sessionId });
    // One extra row tells whether another page exists without a count query.
    const rows = await reads.listMessages(sessionId, { limit: limit + 1, includeCancelled, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
    const messages = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    // The newest end: the first page back, or a forward page with nothing after it.
    const atNewestEnd = after === undefined ? before === undefined : !hasMore;
    return {
      messages, hasMore, nextCursor: hasMore ? (messages.at(-1)?.seq ?? null) : null,
      queued: atNewestEnd ? await reads.listQueuedMessages(sessionId) : [],
    };
  });
};
