import type { FastifyRequest } from "fastify";
import { AppError } from "../errors.ts";

/** Deeper JSON than this is refused: nothing we accept nests so deep, and recursive code downstream (JSON.stringify, the event codec) would overflow the stack. */
const MAX_DEPTH = 64;

type Finding = { readonly path: string; readonly problem: "nul" | "depth" };

const pointer = (path: string, key: string | number) => `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;

/**
 * The first NUL character (in a string or a key) or over-deep nesting in a parsed value, as a
 * JSON pointer. Walks with its own stack, so a hostile body cannot overflow ours.
 */
const findUnsafe = (value: unknown): Finding | null => {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: "", depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value === "string") {
      if (item.value.includes("\u0000")) return { path: item.path || "/", problem: "nul" };
      continue;
    }
    if (item.value === null || typeof item.value !== "object") continue;
    if (item.depth >= MAX_DEPTH) return { path: item.path, problem: "depth" };
    for (const [key, child] of Object.entries(item.value)) {
      if (key.includes("\u0000")) return { path: pointer(item.path, key), problem: "nul" };
      stack.push({ value: child, path: pointer(item.path, key), depth: item.depth + 1 });
    }
  }
  return null;
};

const refusal = (where: "path" | "query" | "body", finding: Finding) => {
  const message = finding.problem === "nul" ? "must not contain NUL characters" : `must not nest deeper than ${MAX_DEPTH} levels`;
  return AppError.of("validation_failed", `the ${where} ${message} (at ${finding.path})`, { errors: [{ path: finding.path, message }] });
};

/**
 * Refuses a NUL character anywhere in the path parameters, the query or the body with 400
 * before any handler runs (Postgres cannot store NUL in text or jsonb, so it would surface as a
 * 500 or poison a read model), and bodies nested too deep. Runs after auth (preValidation).
 */
export const guardInput = async (request: FastifyRequest) => {
  const sources = [["path", request.params], ["query", request.query], ["body", request.body]] as const;
  for (const [where, value] of sources) {
    const finding = findUnsafe(value);
    if (finding) throw refusal(where, finding);
  }
};
