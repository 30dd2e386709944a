import { randomUUID } from "node:crypto";
import type { RedisClient } from "../../src/infra/redis.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../events/envelope.ts";
import { DomainError } from "../../commands/errors.ts";
import type { SessionCommand } from "../../commands/session/index.ts";
import { ContentionTimeoutError } from "../../src/eventStore/errors.ts";
import type { EventStore } from "../../src/eventStore/eventStore.ts";
import { createKeys } from "../../src/eventStore/keys.ts";
import { createSessionCommandHandler } from "../../src/eventStore/sessionCommandHandler.ts";
import { createTestStore, testMeta } from "../support/redis.ts";

let store: EventStore;
let raw: { redis: RedisClient; prefix: string };
let close: () => Promise<void>;
beforeAll(async () => {
  const opened = await createTestStore(4);
  ({ store, close } = opened);
  raw = opened;
});
afterAll(async () => close());

const meta = { meta: testMeta };
const create: SessionCommand = { type: "CreateSession", data: { projectPath: "/p", claudeDirectoryPath: "/c", context: null, metadata: {} } };
const enqueue = (promptId: string): SessionCommand => ({ type: "EnqueuePrompt", data: { promptId, messageId: randomUUID(), prompt: "hi" } });
const queueOf = (state: { status: string; queue?: readonly { promptId: string }[] }) => (state.status === "open" ? (state.queue ?? []).map((queued) => queued.promptId) : []);

/** Each handler stands for one process: its own fold cache and its own per-session order. */
describe("the command handler", () => {
  it("sees what another process appended after it cached the session", async () => {
    const [a, b] = [createSessionCommandHandler(store), createSessionCommandHandler(store)];
    const sessionId = randomUUID();
    await a.execute(sessionId, create, meta);
    const promptId = randomUUID();
    await b.execute(sessionId, enqueue(promptId), meta);
    // a's fold predates the prompt; cancelling it only works if a caught up.
    const { events } = await a.execute(sessionId, { type: "CancelPrompt", data: { promptId } }, meta);
    expect(events.map((event) => event.type)).toEqual(["PromptCancelled"]);
  });

  it("does not take a stale fold's 'nothing to change' for an answer", async () => {
    const [a, b] = [createSessionCommandHandler(store), createSessionCommandHandler(store)];
    const sessionId = randomUUID();
    await a.execute(sessionId, create, meta);
    await b.execute(sessionId, { type: "UpdateSession", data: { context: "from b" } }, meta);
    // a still believes the context is null, which is what it is asked to set.
    const { events, state, version } = await a.execute(sessionId, { type: "UpdateSession", data: { context: null } }, meta);
    expect(events).toEqual([{ type: "SessionUpdated", data: { context: null } }]);
    expect(state.status === "open" && state.context).toBeNull();
    expect(version).toBe(3);
  });

  it("runs one process's commands on a session one at a time, in arrival order", async () => {
    const handler = createSessionCommandHandler(store);
    const sessionId = randomUUID();
    await handler.execute(sessionId, create, meta);
    const promptIds = Array.from({ length: 50 }, () => randomUUID());
    const outcomes = await Promise.all(promptIds.map((promptId) => handler.execute(sessionId, enqueue(promptId), meta)));
    expect(outcomes.map((outcome) => outcome.version)).toEqual(promptIds.map((_, index) => index + 2));
    expect(queueOf((await handler.read(sessionId)).state)).toEqual(promptIds);
  });

  it("loses no write and refuses none when several processes append to one session at once", async () => {
    const handlers = Array.from({ length: 4 }, () => createSessionCommandHandler(store));
    const sessionId = randomUUID();
    await handlers[0]?.execute(sessionId, create, meta);
    const promptIds = Array.from({ length: 60 }, () => randomUUID());
    await Promise.all(promptIds.map((promptId, index) => handlers[index % 4]?.execute(sessionId, enqueue(promptId), meta)));
    const history = await store.readSession(sessionId);
    expect(history.version).toBe(61);
    expect(verifyChain(sessionId, [...history.events])).toEqual({ ok: true, events: 61 });
    expect(new Set(queueOf((await handlers[1]!.read(sessionId)).state))).toEqual(new Set(promptIds));
  });

  it("gives up with ContentionTimeoutError (not a domain refusal) once its deadline has passed", async () => {
    const sessionId = randomUUID();
    const impatient = createSessionCommandHandler(store, { deadlineMs: 0 });
    await impatient.execute(sessionId, create, meta);
    await createSessionCommandHandler(store).execute(sessionId, enqueue(randomUUID()), meta);
    // Its fold is stale: the append conflicts, and there is no time left to try again.
    await expect(impatient.execute(sessionId, enqueue(randomUUID()), meta)).rejects.toBeInstanceOf(ContentionTimeoutError);
  });

  it("a refusal is the decider's, decided on a fresh fold, and names the version it was decided on", async () => {
    const [a, b] = [createSessionCommandHandler(store), createSessionCommandHandler(store)];
    const sessionId = randomUUID();
    await a.execute(sessionId, create, meta);
    await b.execute(sessionId, { type: "DeleteSession", data: {} }, meta);
    const refused = await a.execute(sessionId, enqueue(randomUUID()), meta).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: "session_deleted", version: 2 });
  });

  it("a repeated idempotency key appends nothing and answers with the first call's position, even where deciding again would refuse", async () => {
    const handler = createSessionCommandHandler(store);
    const sessionId = randomUUID();
    const first = await handler.execute(sessionId, create, { ...meta, idempotencyKey: "create-1" });
    await handler.execute(sessionId, enqueue(randomUUID()), meta);
    // CreateSession again would be session_exists; the key says it is the same request.
    const again = await createSessionCommandHandler(store).execute(sessionId, create, { ...meta, idempotencyKey: "create-1" });
    expect(again).toMatchObject({ duplicate: true, events: [], version: 1, position: first.position });
    const sameProcess = await handler.execute(sessionId, create, { ...meta, idempotencyKey: "create-1" });
    expect(sameProcess).toMatchObject({ duplicate: true, version: 1, position: first.position });
    expect((await store.readSession(sessionId)).version).toBe(2);
  });

  it("starts over when the store's head is no longer where its fold said (the session was rewritten)", async () => {
    const handler = createSessionCommandHandler(store);
    const sessionId = randomUUID();
    await handler.execute(sessionId, create, meta);
    await handler.execute(sessionId, enqueue(randomUUID()), meta);
    // The session's keys vanish and it is created anew by someone else (Redis lost its data).
    const keys = createKeys(raw.prefix);
    const partition = store.partitionFor(sessionId);
    await raw.redis.del(keys.sessionStream(partition, sessionId), keys.sessionHead(partition, sessionId));
    await createSessionCommandHandler(store).execute(sessionId, create, meta);
    const promptId = randomUUID();
    const { state, version } = await handler.execute(sessionId, enqueue(promptId), meta);
    expect(version).toBe(2);
    expect(queueOf(state)).toEqual([promptId]);
    expect(verifyChain(sessionId, [...(await store.readSession(sessionId)).events]).ok).toBe(true);
  });

  it("keeps at most cacheSize folds and still answers for evicted ones", async () => {
    const handler = createSessionCommandHandler(store, { cacheSize: 2 });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await handler.execute(id, create, meta);
    const { state } = await handler.execute(ids[0]!, enqueue(randomUUID()), meta);
    expect(queueOf(state)).toHaveLength(1);
  });

  it("decides several commands in order as one append", async () => {
    const handler = createSessionCommandHandler(store);
    const sessionId = randomUUID();
    const [p1, p2] = [randomUUID(), randomUUID()];
    const { events, version } = await handler.execute(sessionId, [create, enqueue(p1), enqueue(p2), { type: "CancelPrompt", data: { promptId: p1 } }], meta);
    expect(events.map((event) => event.type)).toEqual(["SessionCreated", "PromptEnqueued", "PromptEnqueued", "PromptCancelled"]);
    expect(version).toBe(4);
    expect(queueOf((await handler.read(sessionId)).state)).toEqual([p2]);
  });
});
