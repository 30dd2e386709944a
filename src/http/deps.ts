import type { RedisClient } from "../infra/redis.ts";
import type { Logger } from "pino";
import type { TokenStore, TokenVerifier } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { SessionCommandHandler } from "../eventStore/sessionCommandHandler.ts";
import type { Database } from "../infra/database.ts";
import type { HealthBoard } from "../infra/health.ts";
import type { Metrics } from "../infra/metrics.ts";
import type { TranscriptService } from "../transcripts/transcriptService.ts";
import type { LiveHub } from "../live/hub.ts";
import type { MachineRegistry } from "../machines/machineRegistry.ts";
import type { WorkingStates } from "../live/workingState.ts";
import type { ReadArchive } from "../live/eventPages.ts";
import type { LiveTuning } from "./liveRoutes.ts";
import type { SessionReads } from "../readModels/sessionReads.ts";
import type { Push } from "../push/push.ts";

export interface AppDeps {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly redis: RedisClient;
  readonly db: Database;
  readonly store: EventStore;
  readonly version: string;
  /** Problems the service's parts report (shown by /health). */
  readonly health?: HealthBoard;
  /** Prometheus metrics: requests are timed and GET /metrics served when given. */
  readonly metrics?: Metrics;
  /** The read side: every GET goes through it. */
  readonly reads: SessionReads;
  /** The process's one command path (shared with the runner and the live stream). */
  readonly commands: SessionCommandHandler;
  /** What running jobs are doing now (kept by their runners in Redis). */
  readonly working: WorkingStates;
  /** The machines runners registered: where sessions run. */
  readonly machines: MachineRegistry;
  readonly tokens: TokenVerifier;
  /** Token administration (/api/admin/tokens, admin scope) is served when given. */
  readonly tokenAdmin?: TokenStore;
  /** Claude Code's on-disk transcripts; the history routes are served when given. */
  readonly history?: TranscriptService;
  /** The live stream (SSE and WebSocket) is served when given. */
  readonly live?: { readonly hub: LiveHub; readonly readArchive?: ReadArchive; readonly tuning?: LiveTuning };
  /** Push subscriptions and deliveries (/api/claude-code/push) are served, and foreground marks kept, when given. */
  readonly push?: Pick<Push, "vapidPublicKey" | "subscriptions" | "deliveries" | "presence">;
}
