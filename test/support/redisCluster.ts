import { execFile, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort, launchRedisServer } from "./privateRedis.ts";

const run = promisify(execFile);

/** Waits (bounded) until every node reports the cluster up with all its slots served. */
const waitUntilUp = async (ports: readonly number[], timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    const node = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      for (;;) {
        const info = await node.cluster("INFO");
        if (String(info).includes("cluster_state:ok") && String(info).includes("cluster_slots_ok:16384")) break;
        if (Date.now() > deadline) throw new Error(`the cluster did not come up in time: ${String(info).slice(0, 200)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      node.disconnect();
    }
  }
};

/**
 * A three-master Redis Cluster of the test's own on free loopback ports (no replicas), each
 * node in a scratch folder; `close()` kills the nodes and removes the folders. The machine's
 * shared Redis is never touched.
 */
export const startRedisCluster = async (masters = 3) => {
  const dir = mkdtempSync(join(tmpdir(), "ccm-cluster-"));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  try {
    for (let index = 0; index < masters; index += 1) {
      const port = await freePort();
      ports.push(port);
      children.push(await launchRedisServer(port, dir, [
        "--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`, "--cluster-node-timeout", "5000",
      ]));
    }
    await run("redis-cli", ["--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`), "--cluster-replicas", "0", "--cluster-yes"], { timeout: 30_000 });
    await waitUntilUp(ports);
  } catch (error) {
    for (const child of children) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ports,
    /** What REDIS_CLUSTER_NODES takes. */
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(","),
    /** A plain connection to one master, to look at what it holds. */
    node: (port: number) => new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1 }),
    close: async () => {
      await Promise.all(children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGKILL");
        await exited;
      }));
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

export type RedisCluster = Awaited<ReturnType<typeof startRedisCluster>>;
