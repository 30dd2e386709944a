import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import websocket from "@fastify/websocket";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { z } from "zod";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { SessionCommandHandler } from "../eventStore/sessionCommandHandler.ts";
import { createLiveFeed, defaultFeedLimits, type FeedLimits, type LiveFeed, type LiveTransport } from "../live/feed.ts";
import { createEventPages, type ReadArchive } from "../live/eventPages.ts";
import type { Metrics } from "../infra/metrics.ts";
import type { LiveHub } from "../live/hub.ts";
import type { ForegroundPresence } from "../push/foreground.ts";
import { createSnapshotter } from "../live/snapshot.ts";
import type { WorkingStates } from "../live/workingState.ts";
import { createPendingSockets } from "../live/pendingSockets.ts";
import { createRevocationWatch } from "../live/revocation.ts";
import { sseTransport, wsCloseCodes, wsTransport } from "../live/transports.ts";
import { bearerToken } from "./auth.ts";
import { identityOrRefuse, type Authenticate } from "./authenticator.ts";
import { sendCode } from "./problem.ts";
import { writeRawProblem } from "./protocolErrors.ts";
import { limitFor, type Limits } from "./rateLimit.ts";

export interface LiveRoutesOptions {
  readonly store: EventStore;
  /** The snapshot each client gets first comes from the process's one command path. */
  readonly commands: Pick<SessionCommandHandler, "read">;
  /** What the running job is doing, and the answer so far: in the snapshot, for a phone joining mid-answer. */
  readonly working: Pick<WorkingStates, "read">;
  readonly hub: LiveHub;
  readonly logger: Logger;
  /** Checks a bearer token (counting failures per address): for the WebSocket (header or first message), and for SSE when no global hook set the actor. */
  readonly authenticate: Authenticate;
  /** Whether a token still verifies (no failure counted): the streams of a revoked one are ended. */
  readonly stillValid: (token: string) => Promise<boolean>;
  /** Reads archived events when Redis no longer has them (trimmed). */
  readonly readArchive?: ReadArchive;
  /** The SSE stream counts against the token's reads budget, as every GET does. */
  readonly rateLimits: Limits;
  readonly limits?: Partial<FeedLimits>;
  /** How long a WebSocket without an Authorization header may stay silent before its first (auth) message. Default 5 s. */
  readonly wsAuthTimeoutMs?: number;
  /** How long a header-authenticated WebSocket without a cursor waits for a first `{"after": id}` message. Default 1 s. */
  readonly wsResumeWaitMs?: number;
  /** Not-yet-authenticated WebSockets allowed per remote address; more are closed 4429 `too_many_pending`. Default 20. */
  readonly wsMaxPendingPerAddress?: number;
  /** How often the tokens of open streams are checked again: a revoked one ends its streams. Default 2 s. */
  readonly revocationCheckMs?: number;
  /** Open streams and resumes are counted when given. */
  readonly metrics?: Metrics;
  /** Where a stream whose client says it is in the foreground is marked (pushes for its session are then suppressed). */
  readonly presence?: Pick<ForegroundPresence, "hold">;
}

/** What a deployment (or a test) may tune about the live stream. */
export type LiveTuning = Pick<LiveRoutesOptions, "limits" | "wsAuthTimeoutMs" | "wsResumeWaitMs" | "wsMaxPendingPerAddress">;

const CURSOR = /^(?:0-)?(\d{1,15})$/;

/** `0-<version>` (the stream entry id) or a bare version; `0` means "from the first event". */
export const parseCursor = (value: string): number | null => {
  const match = CURSOR.exec(value.trim());
  return match?.[1] === undefined ? null : Number(match[1]);
};

const Params = z.object({ sessionId: z.string().min(1).max(256) });
const Query = z.object({
  after: z.string().regex(CURSOR, "a stream entry id such as 0-42, or 0 for the whole session").optional(),
  foreground: z.enum(["1", "0", "true", "false"]).optional()
    .describe("1: the client shows this session in the foreground now: pushes for it are suppressed while the stream is open"),
});
const WsHello = z.object({
  token: z.string().min(1).max(256).optional(),
  after: z.union([z.string().regex(CURSOR), z.number().int().min(0)]).optional(),
  foreground: z.boolean().optional(),
});
/** `{"foreground": true | false}` on the WebSocket: the client came to the foreground or left it. */
const ForegroundMessage = z.object({ foreground: z.boolean() });

const foregroundOf = (data: unknown): boolean | undefined => {
  const text = String(data);
  if (text.length > 1024 || !text.includes("foreground")) return undefined;
  try {
    return ForegroundMessage.parse(JSON.parse(text)).foreground;
  } catch {
    return undefined;
  }
};

const streamDescription = [
  "First an `event: snapshot` (status, working state, queue, pending cancel), then every stored event after the cursor",
  "as a plain message whose `id` is its stream entry id (`0-<version>`), then live events. Cursor: `Last-Event-ID`, else",
  "`?after=` (`0` replays the whole session); none means live only. `event: delta` frames are ephemeral typing deltas",
  "without an id. `: ping` comments every 15 s. `event: error` (`slow_consumer`, `shutting_down`) precedes a close: reconnect",
  "with the last id. The same stream as JSON messages on `GET .../ws` (token in the Authorization header or a first",
  "message `{\"token\": ..., \"after\"?: id}`; with the header and no cursor, a first message `{\"after\": id}` within 1 s",
  "sets the cursor). At most 20 sockets per address may be waiting for their first message (else close 4429).",
].join(" ");

/**
 * Live stream of a session: `GET .../stream` (Server-Sent Events) and `GET .../ws`
 * (WebSocket). Both resume from a stream entry id without gap or duplicate.
 */
export const liveRoutes: FastifyPluginAsyncZod<LiveRoutesOptions> = async (app, options) => {
  const { store, hub, authenticate, logger } = options;
  const limits: FeedLimits = { ...defaultFeedLimits, ...options.limits };
  const eventPages = createEventPages({ store, logger, readArchive: options.readArchive });
  const snapshotter = createSnapshotter(options.commands, options.working);
  const feeds = new Set<LiveFeed>();
  const revocations = createRevocationWatch(options.stillValid, options.revocationCheckMs);
  const wsAuthTimeoutMs = options.wsAuthTimeoutMs ?? 5000;
  const wsResumeWaitMs = options.wsResumeWaitMs ?? 1000;
  const pending = createPendingSockets(options.wsMaxPendingPerAddress ?? 20);

  if (!app.hasDecorator("websocketServer")) {
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    // A handshake ws refuses (no key, wrong version, Upgrade: h2c) is a problem like any other.
    app.websocketServer.on("wsClientError", (error: Error, socket: Duplex, request: IncomingMessage) =>
      writeRawProblem(socket, "bad_request", `WebSocket handshake refused: ${error.message}`, request.url));
  }
  app.addHook("onReady", async () => {
    revocations.start();
    await hub.start();
  });
  app.addHook("onClose", async () => revocations.stop());
  // Open streams would hold the server open forever: end them first, clients resume elsewhere.
  app.addHook("preClose", async () => {
    for (const feed of feeds) feed.fail("shutting_down", "the server is restarting; reconnect with the last id");
  });

  const sessionExists = async (sessionId: string) => (await store.readHead(sessionId)).version > 0;

  /** A resuming stream's own event pages: counts, once, where its missed events came from. */
  const resumePages = (metrics: Metrics) => {
    let counted = false;
    return createEventPages({ store, logger, readArchive: options.readArchive, onPage: (source) => {
      if (!counted) metrics.liveResumes.inc({ source });
      counted = true;
    } });
  };

  const runFeed = (sessionId: string, after: number | null, transport: LiveTransport, token: string | null, kind: "sse" | "ws") => {
    const { metrics } = options;
    const reader = after !== null && metrics ? resumePages(metrics) : eventPages;
    const feed = createLiveFeed({ hub, eventPages: reader, snapshotter, logger, limits }, sessionId, after, transport);
    feeds.add(feed);
    metrics?.liveConnections.inc({ transport: kind });
    let open = true;
    const untrack = token === null ? () => undefined : revocations.track(token, () => feed.fail("revoked", "the token of this stream was revoked"));
    return {
      start: () => feed.start(),
      close: () => {
        if (open) metrics?.liveConnections.dec({ transport: kind });
        open = false;
        untrack();
        feed.close();
        feeds.delete(feed);
      },
    };
  };

  /** SSE auth: the global bearer hook (when registered) has set the actor; else check here. */
  const requireActor = async (request: FastifyRequest, reply: FastifyReply) => {
    const actor = (request as { actor?: unknown }).actor;
    if (typeof actor === "string" && actor !== "") return;
    identityOrRefuse(reply, await authenticate(request.ip, bearerToken(request)), request.ip);
  };

  app.get("/api/claude-code/sessions/:sessionId/stream", {
    schema: { tags: ["live"], summary: "Live events of a session (Server-Sent Events)", description: streamDescription, params: Params, querystring: Query },
    config: limitFor(options.rateLimits, "reads"),
    preHandler: requireActor,
  }, async (request, reply) => {
    const { sessionId } = request.params;
    const given = request.headers["last-event-id"];
    // A reconnecting EventSource keeps its first URL: Last-Event-ID is the newer cursor.
    const raw = typeof given === "string" && given.trim() !== "" ? given : request.query.after;
    const after = raw === undefined ? null : parseCursor(raw);
    if (raw !== undefined && after === null) return sendCode(reply, request, "validation_failed", "Last-Event-ID is not a stream entry id such as 0-42");
    if (!(await sessionExists(sessionId))) return sendCode(reply, request, "not_found", `no session ${sessionId}`);
    await hub.start();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
      "x-request-id": String(request.id),
    });
    // HEAD: the same checks and headers as GET, and no stream (it would never end).
    if (request.method === "HEAD") return res.end();
    res.write("retry: 2000\n\n");
    const feed = runFeed(sessionId, after, sseTransport(res), bearerToken(request), "sse");
    const foreground = request.query.foreground === "1" || request.query.foreground === "true" ? options.presence?.hold(sessionId) : undefined;
    foreground?.set(true);
    res.on("close", () => {
      feed.close();
      foreground?.release();
    });
    await feed.start();
  });

  /** With an Authorization header, the WebSocket is checked before the upgrade (401/404 as HTTP). */
  const wsPreHandler = async (request: FastifyRequest<{ Params: z.infer<typeof Params> }>, reply: FastifyReply) => {
    const given = request.headers["last-event-id"];
    if (typeof given === "string" && given.trim() !== "" && parseCursor(given) === null) {
      return sendCode(reply, request, "validation_failed", "Last-Event-ID is not a stream entry id such as 0-42");
    }
    const token = bearerToken(request);
    if (token === null) return;
    identityOrRefuse(reply, await authenticate(request.ip, token), request.ip);
    if (!(await sessionExists(request.params.sessionId))) return sendCode(reply, request, "not_found", `no session ${request.params.sessionId}`);
    (request.raw as { liveAuthorised?: boolean }).liveAuthorised = true;
  };

  const isPing = (data: unknown) => String(data) === '{"type":"ping"}';

  const startWs = async (socket: WebSocket, sessionId: string, after: number | null, token: string | null, inForeground = false) => {
    if (!(await sessionExists(sessionId))) return socket.close(wsCloseCodes.not_found, "not_found");
    await hub.start();
    const feed = runFeed(sessionId, after, wsTransport(socket), token, "ws");
    const foreground = options.presence?.hold(sessionId);
    if (inForeground) foreground?.set(true);
    socket.on("close", () => {
      feed.close();
      foreground?.release();
    });
    socket.on("message", (data) => {
      if (isPing(data) && socket.readyState === socket.OPEN) socket.send('{"type":"pong"}');
      const said = foregroundOf(data);
      if (said !== undefined) foreground?.set(said);
    });
    await feed.start();
  };

  const startOrClose = (socket: WebSocket, sessionId: string, after: number | null, token: string | null, inForeground = false) => {
    startWs(socket, sessionId, after, token, inForeground).catch(() => socket.close(wsCloseCodes.internal_error, "internal_error"));
  };

  /** The first message as a hello, or null when it is not one (the socket is then closed 4400). */
  const parseHello = (socket: WebSocket, data: unknown): z.infer<typeof WsHello> | null => {
    try {
      return WsHello.parse(JSON.parse(String(data)));
    } catch {
      socket.close(wsCloseCodes.bad_request, "bad_request");
      return null;
    }
  };

  const helloCursor = (hello: z.infer<typeof WsHello>, fallback: number | null) =>
    hello.after === undefined ? fallback : parseCursor(String(hello.after));

  /**
   * Authorised by header but no cursor yet: a reconnecting client may send `{"after": id}` as
   * its first message (as the README says), so wait briefly for it before starting; starting
   * at once would give it live events only, with a gap.
   */
  const awaitResume = (socket: WebSocket, sessionId: string, token: string | null, inForeground: boolean) => {
    const onMessage = (data: unknown) => {
      clearTimeout(timer);
      const ping = isPing(data);
      const hello = parseHello(socket, data);
      if (!hello) return;
      startOrClose(socket, sessionId, helloCursor(hello, null), token, hello.foreground ?? inForeground);
      if (ping && socket.readyState === socket.OPEN) socket.send('{"type":"pong"}');
    };
    const timer = setTimeout(() => {
      socket.off("message", onMessage);
      startOrClose(socket, sessionId, null, token, inForeground);
    }, wsResumeWaitMs);
    socket.once("message", onMessage);
    socket.on("close", () => clearTimeout(timer));
  };

  /** Without a header, the first message must be `{"token": "...", "after"?: id}`. The token is never logged. */
  const awaitHello = (socket: WebSocket, from: { sessionId: string; address: string; foreground: boolean }, fallbackAfter: number | null, release: () => void) => {
    const timer = setTimeout(() => socket.close(wsCloseCodes.auth_timeout, "auth_timeout"), wsAuthTimeoutMs);
    socket.on("close", () => {
      clearTimeout(timer);
      release();
    });
    socket.once("message", (data) => {
      clearTimeout(timer);
      void (async () => {
        const hello = parseHello(socket, data);
        if (!hello) return;
        const outcome = await authenticate(from.address, hello.token ?? null);
        if (outcome.kind === "blocked") return socket.close(wsCloseCodes.rate_limited, "rate_limited");
        if (outcome.kind === "refused") return socket.close(wsCloseCodes.unauthorised, "unauthorised");
        release();
        await startWs(socket, from.sessionId, helloCursor(hello, fallbackAfter), hello.token ?? null, hello.foreground ?? from.foreground);
      })().catch(() => socket.close(wsCloseCodes.internal_error, "internal_error"));
    });
  };

  /** The cursor given at the upgrade: `Last-Event-ID` (checked by the pre-handler) wins over `?after=`. */
  const upgradeCursor = (request: FastifyRequest<{ Querystring: z.infer<typeof Query> }>) => {
    const given = request.headers["last-event-id"];
    const raw = typeof given === "string" && given.trim() !== "" ? given : request.query.after;
    return raw === undefined ? null : parseCursor(raw);
  };

  app.route({
    method: "GET",
    url: "/api/claude-code/sessions/:sessionId/ws",
    // The token may arrive in the first message, after the upgrade: the route checks it itself.
    config: { public: true },
    // Its 101 and the messages are described by openapi.ts (zod cannot say them).
    schema: {
      tags: ["live"], summary: "Live events of a session (WebSocket)", params: Params, querystring: Query,
      description: "The stream of .../stream as JSON messages (LiveMessage). The token comes in the Authorization header or in a first message {\"token\", \"after\"?}; a cursor in ?after= or a first {\"after\": id} message. {\"foreground\": true|false} says whether the client shows the session now: while it does, the session's pushes are suppressed.",
    },
    preHandler: wsPreHandler,
    handler: (request, reply) => {
      // Upgrade is required with a 426 (RFC 9110 §15.5.22); a Connection header would force keep-alive.
      reply.header("upgrade", "websocket");
      return sendCode(reply, request, "upgrade_required", "this route speaks WebSocket only: send Connection: Upgrade and Upgrade: websocket");
    },
    wsHandler: (socket, request) => {
      const { sessionId } = request.params;
      const after = upgradeCursor(request);
      const inForeground = request.query.foreground === "1" || request.query.foreground === "true";
      if ((request.raw as { liveAuthorised?: boolean }).liveAuthorised) {
        if (after !== null) startOrClose(socket, sessionId, after, bearerToken(request), inForeground);
        else awaitResume(socket, sessionId, bearerToken(request), inForeground);
        return;
      }
      const release = pending.admit(request.ip);
      if (!release) return socket.close(wsCloseCodes.too_many_pending, "too_many_pending");
      awaitHello(socket, { sessionId, address: request.ip, foreground: inForeground }, after, release);
    },
  });
};
