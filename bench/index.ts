import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * `npm run bench`: every suite prints a table whose first rows are the raw baseline measured in
 * the same run against the same servers. Each suite runs in a process of its own, so memory
 * figures (RSS) and JIT state are its own. Pass names to run a subset.
 */
const suites = ["eventStore", "decoder", "runner", "commands", "writePath", "approvals", "http", "live", "projections", "history", "audit", "push"];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !suites.includes(name));
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(", ")}; choose from ${suites.join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const name of suites.filter((suite) => wanted.length === 0 || wanted.includes(suite))) {
  console.log(`\n## ${name}`);
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const { status } = spawnSync(process.execPath, ["--import", "tsx", file], { stdio: "inherit" });
  if (status !== 0) {
    failed += 1;
    console.error(`suite ${name} failed with exit code ${status}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
