import type { Logger } from "pino";
import { Counter, Histogram } from "prom-client";
import { decodeEvent } from "../../events/registry.ts";
import type { EventStore, StoredEvent } from "../eventStore/eventStore.ts";
import { toError } from "../errors.ts";
import type { Metrics } from "../infra/metrics.ts";
import { send, type ChannelOptions } from "./channels.ts";
import type { Deliveries, DueDelivery } from "./deliveries.ts";
import type { ForegroundPresence } from "./foreground.ts";
import type { Subscriptions } from "./subscriptions.ts";
import { payloadOf, triggerOf, type Trigger } from "./triggers.ts";

/** The notifier's consumer group on the partition logs. */
export const NOTIFIER_GROUP = "notifier";

export interface NotifierOptions {
  readonly store: EventStore;
  readonly subscriptions: Subscriptions;
  readonly deliveries: Deliveries;
  readonly presence: ForegroundPresence;
  readonly channels: ChannelOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Deliveries sent at once. */
  readonly concurrency: number;
  /** How often due retries (and deliveries whose notifier died) are looked for. Default 500 ms. */
  readonly pollMs?: number;
  readonly blockMs?: number;
  readonly claimIdleMs?: number;
}

const pushMetrics = (metrics: Metrics) => ({
  deliveries: new Counter({
    name: "ccm_push_deliveries_total", help: "Push and webhook deliveries by channel and outcome (sent, failed, suppressed, gone, retried)",
    labelNames: ["channel", "outcome"] as const, registers: [metrics.registry],
  }),
  latency: new Histogram({
    name: "ccm_push_delivery_seconds", help: "From the triggering event to its delivery being accepted, by channel",
    labelNames: ["channel"] as const, buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [metrics.registry],
  }),
});

/**
 * The notifier: a reactor on its own consumer group that turns permission requests and job
 * ends into deliveries, and a worker that sends them. Reacting only claims rows (one per event
 * and subscription; a claim made before is a no-op), then acknowledges; the worker sends what
 * is due, retries 429/5xx and network failures with backoff, and removes subscriptions the
 * push service says are gone. Nothing here runs when projections are rebuilt: replay reads
 * the history into read models, never into this group.
 */
export const createNotifier = (options: NotifierOptions) => {
  const { store, subscriptions, deliveries, presence, logger } = options;
  const log = logger.child({ part: "notifier" });
  const counters = pushMetrics(options.metrics);
  const leaseMs = options.channels.timeoutMs * 2 + 5000;
  const pollMs = options.pollMs ?? 500;
  const prompts = new Map<string, string>();
  let inflight = 0;
  let running = false;
  let pumping: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  const settled = new Set<() => void>();

  /** Remembers a job's prompt (the most recent 10,000 jobs). */
  const rememberPrompt = (jobId: string, promptId: string) => {
    prompts.set(jobId, promptId);
    if (prompts.size > 10_000) prompts.delete(prompts.keys().next().value ?? "");
  };

  /**
   * A permission request names its job only: its prompt is in the job's JobStarted, which this
   * notifier saw earlier in the log; only a job started before it ran reads the session back.
   */
  const promptOf = async (trigger: Trigger): Promise<string | null> => {
    if (trigger.promptId !== null) return trigger.promptId;
    const known = prompts.get(trigger.jobId);
    if (known !== undefined) return known;
    const events = await store.readEvents(trigger.sessionId);
    const started = events.findLast((event) => event.type === "JobStarted" && (event.data as { jobId?: unknown }).jobId === trigger.jobId);
    const promptId = started ? String((started.data as { promptId?: unknown }).promptId) : null;
    if (promptId !== null) rememberPrompt(trigger.jobId, promptId);
    return promptId;
  };

  const react = async ({ envelope, partition, entryId }: StoredEvent) => {
    const event = decodeEvent(envelope);
    if (event.known && event.type === "JobStarted") rememberPrompt(event.data.jobId, event.data.promptId);
    const trigger = triggerOf(event);
    if (trigger === null) return 0;
    const targets = await subscriptions.triggered(trigger.trigger, trigger.sessionId, partition, entryId);
    if (targets.length === 0) return 0;
    const promptId = await promptOf(trigger);
    const payload = payloadOf(trigger, promptId);
    const suppressed = await presence.isForeground(trigger.sessionId);
    const claimed = await deliveries.claim(targets.map((subscription) => ({
      eventId: envelope.eventId, eventAt: envelope.occurredAt, subscriptionId: subscription.id, owner: subscription.owner, channel: subscription.channel,
      sessionId: trigger.sessionId, promptId, trigger: trigger.trigger, payload, suppressed,
    })));
    for (const row of claimed) if (row.status === "suppressed") counters.deliveries.inc({ channel: row.channel, outcome: "suppressed" });
    return claimed.length;
  };

  const handle = async (batch: readonly StoredEvent[]) => {
    let claimed = 0;
    for (const event of batch) claimed += await react(event);
    if (claimed > 0) wake();
  };

  const attempt = async ({ row, target, secret, removed }: DueDelivery) => {
    if (target === null || removed !== null) {
      // Removed between the claim and the attempt: nothing to send to.
      const gone = removed === null || removed === "missing" || removed.startsWith("gone");
      await deliveries.finish(row.id, gone ? "gone" : "failed", `subscription ${removed ?? "missing"}`);
      return;
    }
    const outcome = await send({ id: row.id, target, secret, payload: row.payload }, options.channels);
    if (outcome.kind === "gone") {
      // Removed before the delivery says so: whoever reads `gone` finds the subscription gone too.
      await subscriptions.markGone(row.subscription_id, outcome.error);
      log.info({ subscriptionId: row.subscription_id, channel: row.channel, err: outcome.error }, "push subscription gone; removed");
    }
    const status = await deliveries.settle(row, outcome);
    counters.deliveries.inc({ channel: row.channel, outcome: status === "pending" ? "retried" : status });
    if (status === "sent") counters.latency.observe({ channel: row.channel }, Math.max(0, Date.now() - Date.parse(row.event_at)) / 1000);
    if (status === "failed") {
      log.warn({ deliveryId: row.id, channel: row.channel, err: row.last_error ?? ("error" in outcome ? outcome.error : "") }, "push delivery failed");
    }
  };

  const start = (due: DueDelivery) => {
    inflight += 1;
    attempt(due)
      .catch((error: unknown) => log.error({ err: toError(error).message, deliveryId: due.row.id }, "push attempt failed"))
      .finally(() => {
        inflight -= 1;
        for (const done of settled) done();
        wake();
      });
  };

  /** Takes due deliveries while there is room; a slow push service holds only its own slots. */
  const pump = async () => {
    do {
      again = false;
      while (running && inflight < options.concurrency) {
        const due = await deliveries.takeDue(options.concurrency - inflight, leaseMs);
        if (due.length === 0) break;
        for (const one of due) start(one);
      }
    } while (again && running);
  };

  function wake() {
    if (!running) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = pump()
      .catch((error: unknown) => log.error({ err: toError(error).message }, "push worker failed; retrying"))
      .finally(() => (pumping = null));
  }

  const subscription = store.subscribe({
    group: NOTIFIER_GROUP, logger: log, handle, blockMs: options.blockMs ?? 1000,
    ...(options.claimIdleMs === undefined ? {} : { claimIdleMs: options.claimIdleMs }),
  });

  return {
    start: async () => {
      running = true;
      await subscription.start();
      timer = setInterval(wake, pollMs);
      timer.unref();
      wake();
    },
    /** Stops reacting, then lets attempts in flight finish (each is bounded by PUSH_TIMEOUT_MS). */
    stop: async () => {
      await subscription.stop();
      running = false;
      if (timer) clearInterval(timer);
      await pumping;
      while (inflight > 0) await new Promise<void>((resolve) => settled.add(resolve)).then(() => settled.clear());
      options.channels.agent.destroy();
    },
  };
};

export type Notifier = ReturnType<typeof createNotifier>;
