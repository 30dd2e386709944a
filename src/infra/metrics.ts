import { createServer } from "node:http";
import type { EventStore } from "../eventStore/eventStore.ts";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The Prometheus metrics of one service: one registry, made by the composition root and passed
 * to the parts that count (no module-level registry, so several services assembled in one
 * process never collide). A later part adds its own family with `registers: [metrics.registry]`.
 */
export const createMetrics = () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let projectionLag: (() => Promise<ReadonlyArray<{ projection: string; behind: number }>>) | null = null;
  return {
    registry,
    httpDuration: new Histogram({
      name: "http_request_duration_seconds", help: "HTTP requests by method, route (as registered) and status code",
      labelNames: ["method", "route", "status_code"] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    }),
    eventsAppended: new Counter({ name: "ccm_events_appended_total", help: "Events this process appended, by event type", labelNames: ["type"] as const, registers }),
    appendDuration: new Histogram({
      name: "ccm_append_duration_seconds", help: "One append to the event store (the Lua script's round trip)",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers,
    }),
    projectionLagEvents: new Gauge({
      name: "ccm_projection_lag_events", help: "Log entries each projection has yet to apply (read at scrape time)", labelNames: ["projection"] as const, registers,
      async collect() {
        if (projectionLag === null) return;
        for (const row of await projectionLag().catch(() => [])) this.set({ projection: row.projection }, row.behind);
      },
    }),
    jobs: new Counter({ name: "ccm_jobs_total", help: "Jobs this runner ended, by outcome", labelNames: ["outcome"] as const, registers }),
    jobDuration: new Histogram({
      name: "ccm_job_duration_seconds", help: "From a job's start to its recorded end, by outcome", labelNames: ["outcome"] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600], registers,
    }),
    liveConnections: new Gauge({ name: "ccm_live_connections", help: "Open live streams, by transport (sse, ws)", labelNames: ["transport"] as const, registers }),
    liveResumes: new Counter({
      name: "ccm_live_resumes_total", help: "Live streams resumed from a cursor, by where their missed events were read (redis, archive)",
      labelNames: ["source"] as const, registers,
    }),
    /** Where the lag gauge reads from (the projections' lag), once the database is there. */
    readProjectionLagFrom: (read: typeof projectionLag) => {
      projectionLag = read;
    },
  };
};

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The store with its appends counted (by event type) and timed. Only appends that wrote: a
 * repeated idempotency key (`duplicate`) and an empty decision count nothing.
 */
export const countAppends = (store: EventStore, metrics: Metrics): EventStore => ({
  ...store,
  append: async (sessionId, expectedVersion, events, options) => {
    const stop = metrics.appendDuration.startTimer();
    const result = await store.append(sessionId, expectedVersion, events, options);
    stop();
    if (!result.duplicate) for (const event of events) metrics.eventsAppended.inc({ type: event.type });
    return result;
  },
});

/**
 * METRICS_PORT: `/metrics` without a token on a loopback listener of its own, for a scraper on
 * this machine. Nothing else is served there.
 */
export const serveMetrics = async (metrics: Metrics, port: number) => {
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics is served here\n");
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};
