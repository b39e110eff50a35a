/**
 * The configuration's scalar keys, read off its zod schema: what the environment may override
 * and what the starter file must list. Derived, so a key added to the schema is never forgotten.
 */
import type * as z from 'zod';

export interface ScalarKey {
  /** e.g. `['schedule', 'maxActiveRuns']` */
  readonly path: readonly string[];
  /** The value types the key takes: `number`, `string`, `boolean`, `null`, `enum`… (zod's names). */
  readonly accepts: ReadonlySet<string>;
}

/** Every key below `schema` whose value is not a mapping, list or record, in schema order. */
export function scalarKeys(schema: z.core.$ZodType, path: readonly string[] = []): ScalarKey[] {
  const inner = unwrap(schema);
  if (inner._zod.def.type === 'object') {
    const shape = (inner as z.core.$ZodObject)._zod.def.shape;
    return Object.entries(shape).flatMap(([key, value]) => scalarKeys(value, [...path, key]));
  }
  const accepts = new Set<string>();
  collectTypes(schema, accepts);
  // Lists (callbacks) and records (headers) are written in the file only.
  if (accepts.has('array') || accepts.has('record')) return [];
  return [{ path, accepts }];
}

/** Past defaults, optionals and transforms to the schema that reads the input. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
      return unwrap(def.innerType);
    case 'pipe':
      return unwrap(def.in);
    default:
      return schema;
  }
}

function collectTypes(schema: z.core.$ZodType, into: Set<string>): void {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'nullable':
      into.add('null');
      return collectTypes(def.innerType, into);
    case 'default':
    case 'prefault':
    case 'optional':
      return collectTypes(def.innerType, into);
    case 'pipe':
      return collectTypes(def.in, into);
    case 'union':
      for (const option of def.options) collectTypes(option, into);
      return;
    default:
      into.add(def.type);
  }
}
