type Json = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * JSON Merge Patch (RFC 7386): keys of `patch` replace those of `target`, `null` deletes a key,
 * and objects merge recursively. A PATCH of a session's metadata changes only what it names.
 */
export const mergePatch = (target: Json, patch: Json): Record<string, unknown> => {
  const merged: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete merged[key];
      continue;
    }
    const next = isObject(value) ? mergePatch(Object.hasOwn(merged, key) && isObject(merged[key]) ? merged[key] : {}, value) : value;
    // Defined, not assigned: a key named __proto__ stays a plain key.
    Object.defineProperty(merged, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return merged;
};
