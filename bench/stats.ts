import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Small helpers shared by the benchmarks. */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
};

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export type Row = Record<string, string | number>;

/** Runs `fn` and returns elapsed seconds. */
export const timed = async (fn: () => Promise<unknown>): Promise<number> => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
};

/**
 * How to run one of the benchmark servers: the compiled copy in `dist/` (what `npm start`
 * runs; `npm run bench` builds it first), else the sources through tsx.
 */
export const serverScript = (name: string): { file: string; execArgv: string[] } => {
  const compiled = fileURLToPath(new URL(`../dist/bench/${name}.js`, import.meta.url));
  if (existsSync(compiled)) return { file: compiled, execArgv: ["--enable-source-maps"] };
  return { file: fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), execArgv: ["--import", "tsx"] };
};
