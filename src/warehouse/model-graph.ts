/**
 * The warehouse models: `.sql` files whose header comments say how the model grows and what its
 * result must pass (dbt's config and tests), and whose body is a SELECT written as a template
 * (model-template.ts) that both dialects compile from:
 *
 *   -- materialized: incremental          (or table, the default: rebuilt whole)
 *   -- unique_key: period_key             (incremental: the columns of the unit it replaces)
 *   -- test: unique(period_key)           (data tests, see data-tests.ts)
 *   -- depends_on: a, b                   (optional: checked against what the body references)
 *
 * What a model reads is inferred from its `ref()` and `changes()` calls.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Materialization } from './compiled-model.js';
import { parseDataTest, type DataTest } from './data-tests.js';
import type { ModelDialect } from './model-dialect.js';
import { renderModel, templateMessage } from './model-template.js';
import { UserError } from '../errors/user-error.js';

export interface Model {
  readonly name: string;
  /** The template body (header comments blanked, so line numbers stay the file's). */
  readonly sql: string;
  readonly materialized: Materialization;
  readonly uniqueKey: readonly string[];
  /** Models and loaded tables it reads, inferred from its `ref()` and `changes()` calls. */
  readonly dependsOn: readonly string[];
  readonly tests: readonly DataTest[];
  readonly file: string;
}

const HEADER = /^--\s*(depends_on|test|materialized|unique_key):\s*(.*)$/;
const COLUMN = /^[a-z_][a-z0-9_]*$/i;

/** Names as themselves: what a model references, whatever the dialect calls it. */
const referenceDialect: ModelDialect = {
  name: 'duckdb',
  table: (name) => name,
  changesTable: (name) => `_changes_${name}`,
  keysTable: (name) => `_keys_${name}`,
  key: (expressions) => `key(${expressions.join(', ')})`,
  dateKey: (timestamp) => `date_key(${timestamp})`,
  minuteOfDay: (timestamp) => `minute_of_day(${timestamp})`,
  isoWeekday: (date) => `iso_weekday(${date})`,
};

const list = (value: string): string[] =>
  value
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);

/** Renders the body for `dialect` in both modes; errors name the model's file. */
export function renderBoth(model: Pick<Model, 'name' | 'sql' | 'file'>, dialect: ModelDialect): { full: ReturnType<typeof renderModel>; incremental: ReturnType<typeof renderModel> } {
  try {
    return { full: renderModel(model.name, model.sql, dialect, false), incremental: renderModel(model.name, model.sql, dialect, true) };
  } catch (err) {
    throw new UserError(`model ${model.file}: ${templateMessage(err)}`);
  }
}

export function parseModel(name: string, text: string, file: string): Model {
  const declared: string[] = [];
  let sawDependsOn = false;
  const tests: DataTest[] = [];
  let materialized: Materialization = 'table';
  let uniqueKey: string[] = [];
  const body: string[] = [];
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line.trim());
    if (!header) {
      body.push(line.trim().startsWith('--') ? '' : line);
      continue;
    }
    body.push('');
    const [, kind, raw] = header as unknown as [string, string, string];
    const value = raw.trim();
    if (kind === 'depends_on') {
      sawDependsOn = true;
      declared.push(...list(value));
    } else if (kind === 'test') tests.push(parseDataTest(value, `${file}: ${line.trim()}`));
    else if (kind === 'materialized') {
      if (value !== 'table' && value !== 'incremental') throw new UserError(`model ${file}: materialized is table or incremental, not "${value}"`);
      materialized = value;
    } else {
      uniqueKey = list(value);
      for (const column of uniqueKey) if (!COLUMN.test(column)) throw new UserError(`model ${file}: unique_key "${column}" is not a column name`);
    }
  }
  const sql = body.join('\n');
  if (materialized === 'incremental' && uniqueKey.length === 0) throw new UserError(`model ${file}: an incremental model needs a unique_key header (-- unique_key: col)`);
  if (materialized === 'table' && uniqueKey.length > 0) throw new UserError(`model ${file}: unique_key is for incremental models; add -- materialized: incremental or remove it`);
  const { full, incremental } = renderBoth({ name, sql, file }, referenceDialect);
  if (materialized === 'incremental' && incremental.changedKeys === null) {
    throw new UserError(`model ${file}: an incremental model says which keys changed in a {% call changed_keys() %}SELECT …{% endcall %} block`);
  }
  const dependsOn = [...new Set([...full.references, ...incremental.references])];
  if (sawDependsOn) {
    const inferred = [...dependsOn].sort();
    const given = [...new Set(declared)].sort();
    if (inferred.join(',') !== given.join(',')) {
      throw new UserError(`model ${file}: its depends_on header (${given.join(', ') || 'nothing'}) disagrees with what it references (${inferred.join(', ') || 'nothing'})`);
    }
  }
  return { name, sql, materialized, uniqueKey, dependsOn, tests, file };
}

export function loadModels(dir: string): Model[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseModel(f.slice(0, -'.sql'.length), readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}
