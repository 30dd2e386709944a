import { decodeEvent, type KnownEvent } from "../../events/registry.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import type { PromptView, SessionListQuery, SessionReads, SessionView } from "../../src/http/sessionReads.ts";

/**
 * A stop-gap SessionReads that folds the session streams. Folds of recent sessions are kept
 * (LRU) and caught up with the events after their version on each read; a listing scans the
 * session heads, O(sessions). The Postgres read models replace it. Reads here are always
 * fresh, so waitForPosition resolves true at once.
 */
interface Folded {
  version: number;
  session: SessionView | null;
  deleted: boolean;
  prompts: Map<string, PromptView>;
  queue: string[];
  running: string | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const blankPrompt = (sessionId: string, event: KnownEvent & { type: "PromptEnqueued" }): Mutable<PromptView> => ({
  promptId: event.data.promptId, sessionId, messageId: event.data.messageId, prompt: event.data.prompt, status: "queued",
  queuePosition: null, jobId: null, createdAt: event.occurredAt, startedAt: null, finishedAt: null, exitCode: null,
  costUsd: null, usage: null, numTurns: null, durationMs: null, error: null,
});

const finish = (folded: Folded, promptId: string, at: string, fields: Partial<Mutable<PromptView>>) => {
  const prompt = folded.prompts.get(promptId);
  if (prompt) folded.prompts.set(promptId, { ...prompt, finishedAt: at, ...fields });
  if (folded.running === promptId) folded.running = null;
  folded.queue = folded.queue.filter((id) => id !== promptId);
};

const applySession = (folded: Folded, sessionId: string, event: KnownEvent): void => {
  const session = folded.session;
  if (event.type === "SessionCreated") {
    const at = event.occurredAt;
    folded.session = { id: sessionId, ...event.data, metadata: { ...event.data.metadata }, status: "active", claudeCodeSessionId: null,
      createdAt: at, updatedAt: at, lastAccessedAt: at, isWorking: false, currentJobId: null, lastJobStatus: null };
    return;
  }
  if (!session) return;
  const touched = { ...session, updatedAt: event.occurredAt, lastAccessedAt: event.occurredAt };
  if (event.type === "SessionUpdated") {
    const { context, metadata, status } = event.data;
    folded.session = { ...touched, ...(context !== undefined ? { context } : {}), ...(metadata ? { metadata: { ...metadata } } : {}), ...(status ? { status } : {}) };
  } else if (event.type === "SessionDeleted") folded.deleted = true;
  else if (event.type === "ClaudeSessionLinked") folded.session = { ...touched, claudeCodeSessionId: event.data.claudeSessionId };
  else if (event.type === "JobStarted") folded.session = { ...touched, isWorking: true, currentJobId: event.data.jobId };
  else if (event.type === "JobCompleted" || event.type === "JobFailed" || event.type === "JobCancelled") {
    const lastJobStatus = event.type === "JobCompleted" ? "completed" : event.type === "JobFailed" ? "failed" : "cancelled";
    folded.session = { ...touched, isWorking: false, currentJobId: null, lastJobStatus };
  } else folded.session = touched;
};

const applyPrompt = (folded: Folded, sessionId: string, event: KnownEvent): void => {
  const at = event.occurredAt;
  switch (event.type) {
    case "PromptEnqueued":
      folded.prompts.set(event.data.promptId, blankPrompt(sessionId, event));
      folded.queue.push(event.data.promptId);
      return;
    case "PromptCancelled": return finish(folded, event.data.promptId, at, { status: "cancelled", error: event.data.reason });
    case "JobStarted": {
      const prompt = folded.prompts.get(event.data.promptId);
      if (prompt) folded.prompts.set(prompt.promptId, { ...prompt, status: "running", jobId: event.data.jobId, startedAt: at });
      folded.queue = folded.queue.filter((id) => id !== event.data.promptId);
      folded.running = event.data.promptId;
      return;
    }
    case "JobCompleted": {
      const { promptId, exitCode, costUsd, usage, numTurns, durationMs, isError, resultSubtype } = event.data;
      return finish(folded, promptId, at, {
        status: "completed", exitCode, costUsd: costUsd ?? null, usage: usage ? { ...usage } : null, numTurns: numTurns ?? null,
        durationMs: durationMs ?? null, error: isError ? resultSubtype : null,
      });
    }
    case "JobFailed": return finish(folded, event.data.promptId, at, { status: "failed", exitCode: event.data.exitCode ?? null, error: event.data.message ?? event.data.reason });
    case "JobCancelled": return finish(folded, event.data.promptId, at, { status: "cancelled", exitCode: event.data.exitCode ?? null });
    default: return;
  }
};

const withPositions = (folded: Folded): PromptView[] =>
  [...folded.prompts.values()].map((prompt) => {
    if (prompt.promptId === folded.running) return { ...prompt, queuePosition: 0 };
    const index = folded.queue.indexOf(prompt.promptId);
    return { ...prompt, queuePosition: index === -1 ? null : index + 1 };
  });

export const createAggregateReads = (store: EventStore, maxSessions = 10_000): SessionReads => {
  const cache = new Map<string, Folded>();
  const fold = async (sessionId: string): Promise<Folded> => {
    const folded = cache.get(sessionId) ?? { version: 0, session: null, deleted: false, prompts: new Map(), queue: [], running: null };
    for (const envelope of await store.readEvents(sessionId, folded.version + 1)) {
      // Two reads of one session may catch up at once: each event is applied once.
      if (envelope.version <= folded.version) continue;
      folded.version = envelope.version;
      const event = decodeEvent(envelope);
      if (!event.known) continue;
      applySession(folded, sessionId, event);
      applyPrompt(folded, sessionId, event);
    }
    cache.delete(sessionId);
    cache.set(sessionId, folded);
    if (cache.size > maxSessions) cache.delete(cache.keys().next().value as string);
    return folded;
  };
  const visible = async (sessionId: string) => {
    const folded = await fold(sessionId);
    return folded.session && !folded.deleted ? folded : null;
  };

  const sessionIds = async (): Promise<string[]> => {
    const ids: string[] = [];
    for await (const head of store.sessionHeads()) ids.push(head.sessionId);
    return ids;
  };

  const listSessions = async (query: SessionListQuery) => {
    const all = await Promise.all((await sessionIds()).map(async (id) => (await visible(id))?.session ?? null));
    const matching = all
      .filter((session): session is SessionView => session !== null)
      .filter((session) => (query.status === undefined || session.status === query.status) && (query.includeUnlinked || session.claudeCodeSessionId !== null))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
    return { sessions: matching.slice(query.offset, query.offset + query.limit), total: matching.length };
  };

  return {
    ready: () => true,
    getSession: async (sessionId) => (await visible(sessionId))?.session ?? null,
    listSessions,
    listPrompts: async (sessionId) => {
      const folded = await visible(sessionId);
      return folded ? withPositions(folded) : [];
    },
    getPrompt: async (sessionId, promptId) => {
      const folded = await visible(sessionId);
      return (folded ? withPositions(folded) : []).find((prompt) => prompt.promptId === promptId) ?? null;
    },
    // Messages come from the runner's events; the read model serves them.
    listMessages: async () => [],
    waitForPosition: async () => true,
  };
};
