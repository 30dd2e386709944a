import type { TestProject } from "vitest/node";
import { startRedisCluster } from "./redisCluster.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** REDIS_CLUSTER_NODES of the cluster project's Redis Cluster; undefined elsewhere. */
    redisClusterNodes: string | undefined;
  }
}

/** The `cluster` project's one Redis Cluster: started before its test files, stopped and removed after. */
export default async function setup(project: TestProject) {
  const cluster = await startRedisCluster();
  project.provide("redisClusterNodes", cluster.nodes);
  return async () => cluster.close();
}
