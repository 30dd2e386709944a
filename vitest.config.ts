import { defineConfig } from "vitest/config";

/**
 * The tests that also run against a three-master Redis Cluster the `cluster` project starts
 * (test/support/clusterSetup.ts): the event store, its consumers, projections, the runner and
 * the live stream, unchanged, plus the cluster's own tests.
 */
const onCluster = [
  "test/cluster/**/*.test.ts",
  "test/eventStore/commandHandler.property.int.test.ts",
  "test/eventStore/eventStore.int.test.ts",
  "test/eventStore/subscription.int.test.ts",
  "test/eventStore/retention.int.test.ts",
  "test/projections/rebuildEqualsIncremental.int.test.ts",
  "test/runner/runner.int.test.ts",
  "test/live/resume.int.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    setupFiles: [],
    projects: [
      { extends: true, test: { name: "redis", include: ["test/**/*.test.ts"], exclude: ["test/cluster/**"] } },
      { extends: true, test: { name: "cluster", include: onCluster, globalSetup: ["test/support/clusterSetup.ts"] } },
    ],
  },
});
