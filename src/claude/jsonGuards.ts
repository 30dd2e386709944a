/**
 * Tiny type guards for decoding parsed JSON by hand. The decoder's hot path avoids schema
 * libraries on purpose: it runs on every line the CLI prints (see bench/decoder.ts).
 */
export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

export const bool = (value: unknown): boolean | undefined => (typeof value === "boolean" ? value : undefined);

/** `string | null` fields: null stays null, anything that is not a string becomes undefined. */
export const strOrNull = (value: unknown): string | null | undefined =>
  value === null ? null : typeof value === "string" ? value : undefined;

export const obj = (value: unknown): JsonObject | undefined => (isObject(value) ? value : undefined);

export const strArray = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : undefined;

/**
 * Copies only the defined values, so optional properties end up absent rather than `undefined`
 * (exactOptionalPropertyTypes, and JSON output without `"key":undefined` surprises).
 */
export const dropUndefined = (fields: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const key in fields) if (fields[key] !== undefined) out[key] = fields[key];
  return out;
};

/** Hot-path variant of dropUndefined: assigns in place, no intermediate object. */
export const setDefined = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (value !== undefined) target[key] = value;
};
