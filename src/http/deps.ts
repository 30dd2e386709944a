import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { SessionCommand, SessionState } from "../../commands/session/index.ts";
import type { EventMeta } from "../../events/envelope.ts";
import type { TokenStore, TokenVerifier } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { CommandOutcome } from "../eventStore/handleCommand.ts";
import type { Database } from "../infra/database.ts";
import type { HistoryService } from "../history/historyService.ts";
import type { LiveHub } from "../live/hub.ts";
import type { ReadArchive } from "../live/history.ts";
import type { SessionReads } from "./sessionReads.ts";

/** The session command path (read → fold → decide → append), as the routes call it. */
export type SessionCommands = (
  sessionId: string,
  command: SessionCommand,
  options: { meta: EventMeta; idempotencyKey?: string; now?: Date },
) => Promise<CommandOutcome<SessionState>>;

export interface AppDeps {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly db: Database;
  readonly store: EventStore;
  readonly version: string;
  /** The read side: every GET goes through it. */
  readonly reads: SessionReads;
  readonly commands: SessionCommands;
  readonly tokens: TokenVerifier;
  /** Token administration (/api/admin/tokens, admin scope) is served when given. */
  readonly tokenAdmin?: TokenStore;
  /** Claude Code's on-disk transcripts; the history routes are served when given. */
  readonly history?: HistoryService;
  /** The live stream (SSE and WebSocket) is served when given. */
  readonly live?: { readonly hub: LiveHub; readonly readArchive?: ReadArchive };
}
