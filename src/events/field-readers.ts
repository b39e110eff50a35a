/** Readers for optional entity fields: each returns the value, null, or an error sentence. */
import { describeType } from './envelope.js';
import { isStorableTimestamp, outsideStorableYears, parseTimestamp } from './timestamp.js';

export type FieldResult<T> = { readonly value: T | null } | { readonly error: string };

/** A timestamp string, null or absent → epoch ms or null. */
export function optionalTimestamp(value: unknown, path: string): FieldResult<number> {
  if (value === undefined || value === null) return { value: null };
  if (typeof value !== 'string') return { error: `"${path}" must be a timestamp string or null, got ${describeType(value)}` };
  const ms = parseTimestamp(value);
  if (ms === undefined) return { error: `"${path}" is not an ISO-8601 timestamp: ${JSON.stringify(value)}` };
  if (!isStorableTimestamp(ms)) return { error: outsideStorableYears(path, value) };
  return { value: ms };
}

/** A finite number within [min, max], null or absent. */
export function optionalNumber(value: unknown, path: string, min: number, max: number): FieldResult<number> {
  if (value === undefined || value === null) return { value: null };
  if (typeof value !== 'number') return { error: `"${path}" must be a number or null, got ${describeType(value)}` };
  if (!Number.isFinite(value) || value < min || value > max) {
    return { error: `"${path}" must be between ${min} and ${max}, got ${value}` };
  }
  return { value };
}

/** Quotes the allowed values for an error message: "a", "b" or "c". */
export function listChoices(choices: readonly string[]): string {
  const quoted = choices.map((c) => JSON.stringify(c));
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : (quoted[0] ?? '');
}
