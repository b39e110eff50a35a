/**
 * Environment overrides: `EVENTLAKE_<KEY PATH IN UPPER SNAKE>` sets one scalar key on top of the
 * file, e.g. `EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS=4`. The names come from the schema's keys; any
 * other `EVENTLAKE_*` variable is a mistake worth naming, unless it is one read elsewhere.
 */
import { UserError } from '../errors/user-error.js';
import { closestKey } from './closest-key.js';
import type { ScalarKey } from './scalar-keys.js';

/** Variables that share the prefix but are not configuration keys: test hooks, a token, the file, fanout's queue and dead letters. */
const NOT_CONFIG = new Set(['EVENTLAKE_CRASH_AT', 'EVENTLAKE_PAUSE_AT', 'EVENTLAKE_PAUSE_MS', 'EVENTLAKE_FAIL_TASK', 'EVENTLAKE_TOKEN', 'EVENTLAKE_CONFIG', 'EVENTLAKE_QUEUE_URL', 'EVENTLAKE_DLQ_URL']);

const PREFIX = 'EVENTLAKE_';

export interface EnvOverride {
  readonly variable: string;
  readonly path: readonly string[];
  /** Read as the key's type: a number, true/false, null for none, or the text itself. */
  readonly value: unknown;
}

/** `['schedule', 'maxActiveRuns']` → `EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS` */
export function envVariableName(path: readonly string[]): string {
  return PREFIX + path.map((key) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

/** Whether any variable may set (or mistype) a configuration key: the schema must then look. */
export function hasConfigVariables(env: Readonly<Record<string, string | undefined>>): boolean {
  return Object.keys(env).some((variable) => variable.startsWith(PREFIX) && env[variable] !== undefined && !NOT_CONFIG.has(variable));
}

export function readEnvOverrides(env: Readonly<Record<string, string | undefined>>, keys: readonly ScalarKey[]): EnvOverride[] {
  const byName = new Map(keys.map((key) => [envVariableName(key.path), key]));
  const overrides: EnvOverride[] = [];
  for (const variable of Object.keys(env).sort()) {
    const text = env[variable];
    if (!variable.startsWith(PREFIX) || text === undefined || NOT_CONFIG.has(variable)) continue;
    const key = byName.get(variable);
    if (!key) {
      const guess = closestKey(variable, [...byName.keys()]);
      throw new UserError(
        guess
          ? `${variable} is not an eventlake variable (did you mean ${guess}?)`
          : `${variable} is not an eventlake variable (a configuration key is set as EVENTLAKE_ and its path in upper snake case, such as EVENTLAKE_SCHEDULE_MAX_ACTIVE_RUNS)`,
      );
    }
    overrides.push({ variable, path: key.path, value: valueOf(text, key.accepts) });
  }
  return overrides;
}

/** The text as the key's own type, so the schema judges it exactly as it would the file's value. */
function valueOf(text: string, accepts: ReadonlySet<string>): unknown {
  const trimmed = text.trim();
  if (accepts.has('null') && /^(none|null)$/i.test(trimmed)) return null;
  if (accepts.has('boolean') && /^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
  if (accepts.has('number') && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return text;
}

/** `raw` with the overrides set, the file's own value left untouched; a section missing is made. */
export function applyOverrides(raw: unknown, overrides: readonly EnvOverride[]): unknown {
  if (overrides.length === 0 || !isMapping(raw)) return raw;
  const result = structuredClone(raw);
  for (const { path, value } of overrides) {
    const parent = parentOf(result, path);
    if (parent) parent[path.at(-1) as string] = value;
  }
  return result;
}

/** The mapping that holds the key at `path`, made if missing; none if the file has something else there. */
function parentOf(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | undefined {
  let target = root;
  for (const key of path.slice(0, -1)) {
    const next = target[key] ?? (target[key] = {});
    // A section the file got wrong (e.g. `schedule: hourly`) is left for the schema to name.
    if (!isMapping(next)) return undefined;
    target = next;
  }
  return target;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
