import { benchAudit } from "./audit.ts";
import { benchDecoder } from "./decoder.ts";
import { benchEventStore } from "./eventStore.ts";
import { benchHistory } from "./history.ts";
import { benchLive } from "./live.ts";
import { benchProjections } from "./projections.ts";
import { benchRunner } from "./runner.ts";
import { benchHttp } from "./http.ts";

/**
 * `npm run bench`: every benchmark prints a table whose first rows are the raw baseline
 * measured in the same run against the same servers. Pass names to run a subset.
 */
const suites: Record<string, () => Promise<Record<string, string | number>[]>> = {
  eventStore: benchEventStore,
  decoder: benchDecoder,
  history: benchHistory,
  runner: benchRunner,
  live: benchLive,
  projections: benchProjections,
  audit: benchAudit,
  http: benchHttp,
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n## ${name}`);
  console.table(await run());
}
