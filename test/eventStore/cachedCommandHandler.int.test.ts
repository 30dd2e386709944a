import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../events/envelope.ts";
import { sessionDecider, type SessionCommand } from "../../commands/session/index.ts";
import { createCachedCommandHandler } from "../../src/eventStore/cachedCommandHandler.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import { createTestStore, testMeta } from "../support/redis.ts";

let store: EventStore;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ store, close } = await createTestStore(4));
});
afterAll(async () => close());

const create: SessionCommand = { type: "CreateSession", data: { projectPath: "/p", claudeDirectoryPath: "/c", context: null, metadata: {} } };
const enqueue = (promptId: string): SessionCommand => ({ type: "EnqueuePrompt", data: { promptId, messageId: randomUUID(), prompt: "hi" } });

describe("cached command handler", () => {
  it("sees what another process appended after it cached the session", async () => {
    const a = createCachedCommandHandler(store, sessionDecider);
    const b = createCachedCommandHandler(store, sessionDecider);
    const sessionId = randomUUID();
    await a(sessionId, create, { meta: testMeta });
    const promptId = randomUUID();
    await b(sessionId, enqueue(promptId), { meta: testMeta });
    // a's cache predates the prompt; cancelling it only works if a caught up.
    const { events } = await a(sessionId, { type: "CancelPrompt", data: { promptId } }, { meta: testMeta });
    expect(events.map((event) => event.type)).toEqual(["PromptCancelled"]);
  });

  it("does not take a stale fold's 'nothing to change' for an answer", async () => {
    const a = createCachedCommandHandler(store, sessionDecider);
    const b = createCachedCommandHandler(store, sessionDecider);
    const sessionId = randomUUID();
    await a(sessionId, create, { meta: testMeta });
    await b(sessionId, { type: "UpdateSession", data: { context: "from b" } }, { meta: testMeta });
    // a still believes the context is null, which is what it is asked to set.
    const { events, state } = await a(sessionId, { type: "UpdateSession", data: { context: null } }, { meta: testMeta });
    expect(events).toEqual([{ type: "SessionUpdated", data: { context: null } }]);
    expect(state.status === "open" && state.context).toBeNull();
    expect((await store.readSession(sessionId)).version).toBe(3);
  });

  it("loses no write when several processes append to one session at once", async () => {
    const handlers = Array.from({ length: 4 }, () => createCachedCommandHandler(store, sessionDecider, { maxAttempts: 50 }));
    const sessionId = randomUUID();
    await handlers[0]?.(sessionId, create, { meta: testMeta });
    const promptIds = Array.from({ length: 40 }, () => randomUUID());
    await Promise.all(promptIds.map((promptId, index) => handlers[index % 4]?.(sessionId, enqueue(promptId), { meta: testMeta })));
    const history = await store.readSession(sessionId);
    expect(history.version).toBe(41);
    expect(verifyChain(sessionId, [...history.events])).toEqual({ ok: true, events: 41 });
    const { state } = await handlers[1]!(sessionId, enqueue(randomUUID()), { meta: testMeta });
    expect(state.status === "open" && state.queue.length).toBe(41);
  });

  it("keeps at most maxSessions folds and still answers for evicted ones", async () => {
    const handler = createCachedCommandHandler(store, sessionDecider, { maxSessions: 2 });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await handler(id, create, { meta: testMeta });
    const { state } = await handler(ids[0]!, enqueue(randomUUID()), { meta: testMeta });
    expect(state.status === "open" && state.queue.length).toBe(1);
  });
});
