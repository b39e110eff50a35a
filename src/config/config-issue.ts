/**
 * A schema issue as one sentence: where (the file, or the environment variable that set the
 * value), which key, and the kind's own `must be … (got …)`.
 */
import type * as z from 'zod';
import type { EnvOverride } from './env-overrides.js';

/** `['callbacks', 0, 'on', 1]` → `callbacks[0].on[1]` */
export function keyPathLabel(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

/** `origin` is the file as the person named it, or undefined when there is no file. */
export function describeIssue(issue: z.core.$ZodIssue, origin: string | undefined, overrides: readonly EnvOverride[]): string {
  // An unknown key is reported at its mapping; the sentence names the key itself.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const override = overrides.find((o) => o.path.length === path.length && o.path.every((key, i) => key === path[i]));
  if (override) return `${override.variable} ${issue.message}`;
  const key = path.length === 0 ? 'the configuration' : keyPathLabel(path);
  return origin === undefined ? `${key} ${issue.message}` : `${origin}: ${key} ${issue.message}`;
}
