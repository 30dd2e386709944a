import type { RedisClient } from "../infra/redis.ts";
import type { Logger } from "pino";
import type { RecordedDecision } from "../../commands/session/index.ts";
import type { EventByType } from "../../events/registry.ts";
import { toError } from "../errors.ts";
import { duplicateClient, logConnection } from "../infra/redis.ts";
import type { Leases } from "./leases.ts";

/**
 * The consumer group hands each log entry to one runner, but only the runner holding a job
 * can cancel it or answer its approval. The runner that reads the entry fans it out on a
 * pub/sub channel every runner listens to. Cancels are also marked in a key, which the holder
 * checks on each lease renewal, so a lost message delays a cancel but never drops it; answers
 * and steering prompts are read back from the session on each renewal for the same reason.
 */
export type RunnerSignal =
  | { readonly type: "cancel"; readonly jobId: string }
  | { readonly type: "permission"; readonly jobId: string; readonly requestId: string; readonly decision: RecordedDecision }
  | { readonly type: "steer"; readonly jobId: string; readonly promptId: string; readonly prompt: string };


const parse = (text: string): RunnerSignal | null => {
  try {
    const value = JSON.parse(text) as RunnerSignal;
    return typeof value.jobId === "string" && ["cancel", "permission", "steer"].includes(value.type) ? value : null;
  } catch {
    return null;
  }
};

export const createSignals = (redis: RedisClient, channel: string, onSignal: (signal: RunnerSignal) => void, logger: Logger) => {
  let subscriber: RedisClient | null = null;
  const publish = (signal: RunnerSignal) => redis.publish(channel, JSON.stringify(signal));
  return {
    async start() {
      subscriber = logConnection(duplicateClient(redis, "runner-signals"), logger, "runner-signals");
      subscriber.on("message", (_channel: string, text: string) => {
        const signal = parse(text);
        if (signal === null) return logger.warn({ text: text.slice(0, 200) }, "ignored a malformed runner signal");
        try {
          onSignal(signal);
        } catch (error) {
          logger.error({ err: toError(error).message }, "runner signal failed");
        }
      });
      await subscriber.subscribe(channel);
    },
    async stop() {
      subscriber?.disconnect();
      subscriber = null;
    },
    cancel: async (leases: Leases, jobId: string) => {
      await leases.markCancel(jobId);
      await publish({ type: "cancel", jobId });
    },
    /** A prompt sent to steer a job: only its holder can write it into the CLI. */
    steer: async (jobId: string, promptId: string, prompt: string) => publish({ type: "steer", jobId, promptId, prompt }),
    permission: async (decided: EventByType<"PermissionDecided">["data"]) => {
      const { jobId, requestId, ...decision } = decided;
      await publish({ type: "permission", jobId, requestId, decision });
    },
  };
};
