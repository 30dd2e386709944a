/* eslint-disable @typescript-eslint/no-explicit-any -- a schema's encoded side is irrelevant here: any encoded form is accepted */
// The subpath keeps the process from loading every module of effect (about 30 MB of RSS).
import * as Schema from "effect/Schema";

/**
 * One persisted event shape: its `type` (the contract name), the `schemaVersion` of the
 * current shape and the schema of its `data`. A stored shape is never edited: a change bumps
 * `schemaVersion` and adds an upcaster that lifts older data to the current shape.
 */
export interface EventDefinition<T extends string = string, D = unknown> {
  readonly type: T;
  readonly schemaVersion: number;
  readonly data: Schema.Schema<D, any>;
  readonly schema: Schema.Schema<{ readonly type: T; readonly data: D }, any>;
  /** Lifts `data` stored at `fromVersion` (< schemaVersion) to the current shape. */
  readonly upcast?: (fromVersion: number, data: unknown) => unknown;
}

export const defineEvent = <T extends string, F extends Schema.Struct.Fields>(
  type: T,
  fields: F,
  options: { schemaVersion?: number; upcast?: (fromVersion: number, data: unknown) => unknown } = {},
): EventDefinition<T, Schema.Struct.Type<F>> => {
  const data = Schema.Struct(fields);
  return {
    type,
    schemaVersion: options.schemaVersion ?? 1,
    data: data as unknown as Schema.Schema<Schema.Struct.Type<F>, any>,
    schema: Schema.Struct({ type: Schema.Literal(type), data }) as unknown as Schema.Schema<
      { readonly type: T; readonly data: Schema.Struct.Type<F> },
      any
    >,
    ...(options.upcast ? { upcast: options.upcast } : {}),
  };
};

/** The domain event type of a definition: `{ type, data }`. */
export type EventOf<D> = D extends EventDefinition<infer T, infer Data> ? { readonly type: T; readonly data: Data } : never;

export const Json = Schema.Record({ key: Schema.String, value: Schema.Unknown });
