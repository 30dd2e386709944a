import type { Logger } from "pino";
import type { TokenStore } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import type { EventStore } from "../eventStore/eventStore.ts";
import type { Database } from "../infra/database.ts";

/** What a ccm tool works with, in the ccm process or inside the service (see tools.ts). */
export interface ToolContext {
  readonly config: Readonly<Config>;
  readonly store: EventStore;
  readonly tokens: TokenStore;
  /** Null for a tool that needs none. */
  readonly db: Database | null;
  readonly logger: Logger;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Set when the user interrupts (Ctrl-C), or the terminal that asked went away. */
  readonly signal: AbortSignal;
  /** Whether the service is running (else `pair` says the phone must wait for `ccm start`). */
  readonly serviceRunning: boolean;
}

