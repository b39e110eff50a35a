/**
 * A model's body is a nunjucks template (autoescape off) rendered once per dialect and mode.
 * Its macros:
 *
 * - `{{ ref('x') }}`: model or loaded table `x`; `{{ changes('x') }}`: the build's changes table of
 *   `x` (its old and new rows, see compiled-model.ts). Both make the model depend on `x`.
 * - `{{ keys() }}`: this model's changed-keys table (only where `is_incremental()` is true).
 * - `{{ key('a', 'b') }}`, `{{ date_key('ts') }}`, `{{ minute_of_day('ts') }}`,
 *   `{{ iso_weekday('d') }}`: the dialect's surrogate key and date parts of SQL expressions.
 * - `{% if is_incremental() %}…{% endif %}`: only in the SELECT restricted to the changed keys.
 * - `{% call changed_keys() %}SELECT …{% endcall %}`: the SELECT of the changed keys (an
 *   incremental model's; it is not part of the model's SELECT).
 */
import nunjucks from 'nunjucks';
import type { ModelDialect } from './model-dialect.js';

export interface RenderedModel {
  readonly sql: string;
  /** The SELECT given in `{% call changed_keys() %}`, or null. */
  readonly changedKeys: string | null;
  /** Every name given to `ref()` or `changes()`, in order of first use. */
  readonly references: readonly string[];
  /** Names given to `changes()`. */
  readonly changesOf: readonly string[];
}

interface Keywords {
  readonly __keywords?: true;
  readonly caller?: () => unknown;
}

/** Arguments a macro was called with, without nunjucks' trailing keyword object. */
function positional(args: unknown[]): unknown[] {
  const last = args.at(-1) as Keywords | undefined;
  return typeof last === 'object' && last !== null && last.__keywords === true ? args.slice(0, -1) : args;
}

function names(macro: string, args: unknown[], count: number | 'some'): string[] {
  const values = positional(args);
  if ((count === 'some' && values.length === 0) || (count !== 'some' && values.length !== count) || values.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw new Error(`${macro}() takes ${count === 'some' ? 'one or more' : count === 1 ? 'one' : 'no'} quoted argument${count === 1 ? '' : 's'}`);
  }
  return values as string[];
}

const environment = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true });

/** The model body rendered for `dialect`, with the incremental branches or without. */
export function renderModel(name: string, body: string, dialect: ModelDialect, incremental: boolean): RenderedModel {
  const references: string[] = [];
  const changesOf: string[] = [];
  let changedKeys: string | null = null;
  const reference = (target: string): void => {
    if (!references.includes(target)) references.push(target);
  };
  const context = {
    ref: (...args: unknown[]) => {
      const [target] = names('ref', args, 1) as [string];
      reference(target);
      return dialect.table(target);
    },
    changes: (...args: unknown[]) => {
      const [target] = names('changes', args, 1) as [string];
      reference(target);
      if (!changesOf.includes(target)) changesOf.push(target);
      return dialect.changesTable(target);
    },
    keys: (...args: unknown[]) => {
      names('keys', args, 0);
      if (!incremental) throw new Error('keys() is only for the incremental SELECT: put it inside {% if is_incremental() %} or the changed_keys() block');
      return dialect.keysTable(name);
    },
    key: (...args: unknown[]) => dialect.key(names('key', args, 'some')),
    date_key: (...args: unknown[]) => dialect.dateKey((names('date_key', args, 1) as [string])[0]),
    minute_of_day: (...args: unknown[]) => dialect.minuteOfDay((names('minute_of_day', args, 1) as [string])[0]),
    iso_weekday: (...args: unknown[]) => dialect.isoWeekday((names('iso_weekday', args, 1) as [string])[0]),
    is_incremental: () => incremental,
    changed_keys: (...args: unknown[]) => {
      const keywords = args.at(-1) as Keywords | undefined;
      if (typeof keywords?.caller !== 'function') throw new Error('changed_keys() is a block: {% call changed_keys() %}SELECT …{% endcall %}');
      // Rendered as an incremental SELECT would be: it reads changes() and may read keys().
      const wasIncremental = incremental;
      incremental = true;
      try {
        changedKeys = String(keywords.caller()).trim();
      } finally {
        incremental = wasIncremental;
      }
      return '';
    },
  };
  const sql = environment.renderString(body, context).trim().replace(/\n{3,}/g, '\n\n');
  return { sql, changedKeys, references, changesOf };
}

/** Nunjucks' message without its "(unknown path)" preamble and stack lines. */
export function templateMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '(unknown path)');
  const position = /\[Line (\d+), Column (\d+)\]/.exec(text);
  const message = lines
    .map((l) => l.replace(/^\(unknown path\)\s*/, '').replace(/^\[Line \d+, Column \d+\]\s*/, '').replace(/^(Template render error:|Error:)\s*/, ''))
    .filter((l) => l !== '' && !l.startsWith('at '))
    .join(' ')
    .replace(/^(Template render error:|Error:)\s*/, '');
  return position ? `line ${position[1]}: ${message}` : message;
}
