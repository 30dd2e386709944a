import { afterAll, beforeAll, expect, it } from "vitest";
import { Redis } from "ioredis";
import { clusterNodesOf } from "../../src/infra/redis.ts";
import { projectionGroup } from "../../src/projector/projector.ts";
import { listCheckpoints } from "../../src/projector/checkpoints.ts";
import { testClusterNodes } from "../support/redis.ts";
import { assembleTest, createTestClients, testAuth, waitForProjections, type TestClients, type TestService } from "../support/service.ts";

/**
 * The whole service (api, projector, runner in simulation) on the three-master Redis Cluster
 * of the `cluster` project: sessions, prompts run to the end, tokens, rate limits, read models
 * and retention, with the data spread over every master.
 */
let clients: TestClients;
let service: TestService;
beforeAll(async () => {
  clients = await createTestClients({ partitions: 8 });
  service = await assembleTest(clients, { roles: ["api", "projector", "runner"], config: { CLAUDE_CODE_SIMULATE: "1", RATE_LIMIT_PROMPTS: "12", RUNNER_CONCURRENCY: "4" } });
});
afterAll(async () => {
  await service.stop();
  await clients.close();
});

const app = () => {
  if (!service.app) throw new Error("no api role");
  return service.app;
};

const SESSIONS = 12;

it("runs sessions on a cluster: prompts end, read models follow, rate limits count, tokens work", async () => {
  expect(testClusterNodes()).toBeDefined();
  const sessions: { id: string; promptId: string; position: string }[] = [];
  for (let index = 0; index < SESSIONS; index += 1) {
    const created = await app().inject({ method: "POST", url: "/api/claude-code/sessions", headers: testAuth, payload: { folderName: index % 2 === 0 ? "alpha" : "beta" } });
    expect(created.statusCode).toBe(201);
    const sent = await app().inject({ method: "POST", url: `/api/claude-code/sessions/${created.json().id}/prompts`, headers: testAuth, payload: { prompt: `hello ${index}` } });
    expect(sent.statusCode).toBe(202);
    sessions.push({ id: created.json().id, promptId: sent.json().promptId, position: sent.json().position });
  }
  // The prompts budget (12) is spent: one more is refused, counted in the cluster.
  const over = await app().inject({ method: "POST", url: `/api/claude-code/sessions/${sessions[0]?.id}/prompts`, headers: testAuth, payload: { prompt: "one too many" } });
  expect(over.statusCode).toBe(429);

  const deadline = Date.now() + 25_000;
  for (const session of sessions) {
    for (;;) {
      const prompt = await app().inject({ method: "GET", url: `/api/claude-code/sessions/${session.id}/prompts/${session.promptId}?minPosition=${session.position}`, headers: testAuth });
      if (prompt.json().status === "completed") break;
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await waitForProjections(service);
  const list = await app().inject({ method: "GET", url: "/api/claude-code/sessions?limit=100&includeUnlinked=true", headers: testAuth });
  expect(list.json().sessions).toHaveLength(SESSIONS);

  const made = await app().inject({ method: "POST", url: "/api/admin/tokens", headers: testAuth, payload: { name: "phone" } });
  expect(made.statusCode).toBe(201);
  const phone = { authorization: `Bearer ${made.json().token}` };
  expect((await app().inject({ method: "GET", url: "/api/claude-code/sessions", headers: phone })).statusCode).toBe(200);
  expect((await app().inject({ method: "DELETE", url: "/api/admin/tokens/phone", headers: testAuth })).statusCode).toBe(200);
  expect((await app().inject({ method: "GET", url: "/api/claude-code/sessions", headers: phone })).statusCode).toBe(401);
}, 60_000);

it("trims the partition logs on a cluster below what the archive committed", async () => {
  await waitForProjections(service);
  const archivedUpTo = async (partition: number) =>
    (await listCheckpoints(clients.db, ["archive"])).find((row) => row.partition === partition)?.entryId ?? null;
  const before = (await Promise.all(Array.from({ length: service.store.partitions }, (_, index) => index).map((partition) => service.store.partitionLength(partition)))).reduce((a, b) => a + b, 0);
  const trimmed = await service.store.trimPartitionLogs([projectionGroup("archive")], archivedUpTo);
  expect(trimmed).toBeGreaterThan(0);
  expect(trimmed).toBeLessThan(before);
  expect((await service.store.trimmedPartitions()).length).toBeGreaterThan(0);
});

it("spreads the data over every master: each holds keys of this deployment", async () => {
  const counts: number[] = [];
  for (const { host, port } of clusterNodesOf(testClusterNodes() ?? "")) {
    const node = new Redis({ host, port: Number(port), maxRetriesPerRequest: 1 });
    let cursor = "0";
    let count = 0;
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${clients.prefix}*`, "COUNT", 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== "0");
    node.disconnect();
    counts.push(count);
  }
  expect(counts).toHaveLength(3);
  for (const count of counts) expect(count).toBeGreaterThan(0);
});
