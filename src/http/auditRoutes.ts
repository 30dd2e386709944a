import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { findEvent, queryEvents, type EventFilter } from "../audit/eventsQuery.ts";
import { contentTypes, exportFormats, exportStream } from "../audit/export.ts";
import { chainReasons, copyReasons, verifySession } from "../audit/verify.ts";
import { checkedColumns } from "../audit/verifyArchive.ts";
import { AppError } from "../errors.ts";
import type { AppDeps } from "./deps.ts";
import { requireReadModels } from "./freshness.ts";
import { limitFor } from "./rateLimit.ts";
import * as S from "./schemas.ts";

/**
 * Auditors' routes over the event archive (Postgres) and the event store (Redis). Every path
 * is under /api/audit, which the auth hook reserves for auditor and admin tokens.
 */
const tags = ["audit"];
const security = [{ bearerAuth: [] }];
const errors = { ...S.commonErrors, 403: S.ProblemBody };

const Time = z.string().max(64).describe("ISO 8601");
const Filters = z.object({
  sessionId: z.string().min(1).max(200).optional(),
  type: z.string().min(1).max(100).optional(),
  actor: z.string().min(1).max(200).optional(),
  from: Time.optional().describe("occurredAt >= from"),
  to: Time.optional().describe("occurredAt < to"),
  after: S.PositionText.optional().describe("Only events after this position: pass the previous page's `next`"),
});
const EventsQuery = Filters.extend({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const ExportQuery = Filters.extend({ format: z.enum(exportFormats).default("ndjson") });

const AuditEvent = z.object({
  position: S.PositionText,
  eventId: z.string(),
  type: z.string(),
  schemaVersion: z.number().int(),
  sessionId: z.string(),
  version: z.number().int(),
  occurredAt: z.string(),
  data: z.unknown(),
  meta: z.object({ actor: z.string(), correlationId: z.string(), causationId: z.string().nullable(), requestId: z.string().nullable() }),
  prevHash: z.string(),
  hash: z.string(),
});
const EventPage = z.object({ events: z.array(AuditEvent), next: S.PositionText.nullable().describe("Pass as `after` for the next page; null on the last") });

const Reason = z.enum(chainReasons);
const Column = z.enum(checkedColumns).describe("The archive column that disagrees with the sealed body (reason column_mismatch)");
const SourceVerdict = z.object({
  ok: z.boolean(), events: z.number().int(), firstBadVersion: z.number().int().optional(), reason: Reason.optional(), column: Column.optional(),
});
const Verdict = z.object({
  sessionId: z.string(),
  ok: z.boolean(),
  events: z.number().int(),
  firstBadVersion: z.number().int().optional(),
  reason: z.union([Reason, z.enum(copyReasons)]).optional(),
  column: Column.optional(),
  source: z.enum(["redis", "archive", "both"]).optional(),
  redis: SourceVerdict,
  archive: SourceVerdict,
  archiveBehind: z.number().int().describe("Events in Redis not archived yet: lag, not a fault"),
});

const filterOf = (query: z.infer<typeof Filters>): EventFilter =>
  Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as EventFilter;

export const auditRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { config, db, store } = deps;
  const reads = limitFor(config, "reads");
  // The audit routes read the archive in Postgres.
  app.addHook("preHandler", async () => requireReadModels(deps.reads));

  app.get("/api/audit/events", {
    schema: { tags, security, querystring: EventsQuery, response: { 200: EventPage, ...errors } },
    config: reads,
  }, async (request) => {
    const { limit, ...filters } = request.query;
    return queryEvents(db, filterOf(filters), limit);
  });

  app.get("/api/audit/events/:ref", {
    schema: { tags, security, params: z.object({ ref: z.string().min(1).max(300).describe("eventId, or sessionId:version") }), response: { 200: AuditEvent, ...errors, 404: S.ProblemBody } },
    config: reads,
  }, async (request) => {
    const event = await findEvent(db, request.params.ref);
    if (!event) throw AppError.of("not_found", `no archived event ${request.params.ref}`);
    return event;
  });

  app.get("/api/audit/sessions/:sessionId/verify", {
    schema: { tags, security, params: S.SessionParams, response: { 200: Verdict, ...errors, 404: S.ProblemBody } },
    config: reads,
  }, async (request) => {
    const verdict = await verifySession({ store, db }, request.params.sessionId);
    if (verdict.events === 0) throw AppError.of("not_found", `no events of session ${request.params.sessionId} in Redis or the archive`);
    return verdict;
  });

  app.get("/api/audit/export", {
    schema: { tags, security, querystring: ExportQuery, response: { 200: z.unknown().describe("NDJSON (one envelope per line) or CSV, streamed"), ...errors } },
    config: reads,
  }, async (request, reply) => {
    const { format, ...filters } = request.query;
    return reply
      .type(contentTypes[format])
      .header("content-disposition", `attachment; filename="events.${format}"`)
      .send(exportStream(db, filterOf(filters), format));
  });
};
