/**
 * Data tests, dbt's four: `unique(a[, b])`, `not_null(a[, b…])`, `relationships(col -> table.col)`
 * and `accepted_values(col: 'x', 'y')`. Each is a query for the offending rows: none is a pass.
 */
import { sqlString } from '../duckdb/sql-string.js';

export type DataTest =
  | { readonly kind: 'unique'; readonly columns: readonly string[] }
  | { readonly kind: 'not_null'; readonly columns: readonly string[] }
  | { readonly kind: 'relationships'; readonly column: string; readonly table: string; readonly to: string }
  | { readonly kind: 'accepted_values'; readonly column: string; readonly values: readonly string[] };

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/i;

function identifiers(text: string, where: string): string[] {
  const names = text.split(',').map((c) => c.trim());
  for (const name of names) if (!IDENTIFIER.test(name)) throw new Error(`${where}: "${name}" is not a column name`);
  return names;
}

export function parseDataTest(text: string, where: string): DataTest {
  const m = /^(\w+)\((.*)\)$/.exec(text);
  if (!m) throw new Error(`${where}: a test looks like unique(col), not_null(col), relationships(col -> table.col) or accepted_values(col: 'a', 'b')`);
  const [, kind, args] = m as unknown as [string, string, string];
  switch (kind) {
    case 'unique':
    case 'not_null':
      return { kind, columns: identifiers(args, where) };
    case 'relationships': {
      const r = /^(\w+)\s*->\s*(\w+)\.(\w+)$/.exec(args.trim());
      if (!r) throw new Error(`${where}: relationships(col -> table.col)`);
      return { kind, column: r[1] as string, table: r[2] as string, to: r[3] as string };
    }
    case 'accepted_values': {
      const a = /^(\w+)\s*:\s*(.+)$/.exec(args.trim());
      if (!a) throw new Error(`${where}: accepted_values(col: 'a', 'b')`);
      const values = [...(a[2] as string).matchAll(/'((?:[^']|'')*)'/g)].map((v) => (v[1] as string).replaceAll("''", "'"));
      return { kind, column: a[1] as string, values };
    }
    default:
      throw new Error(`${where}: unknown test ${kind}; the tests are unique, not_null, relationships and accepted_values`);
  }
}

export function describeTest(test: DataTest): string {
  switch (test.kind) {
    case 'unique':
    case 'not_null':
      return `${test.kind}(${test.columns.join(', ')})`;
    case 'relationships':
      return `relationships(${test.column} -> ${test.table}.${test.to})`;
    case 'accepted_values':
      return `accepted_values(${test.column}: ${test.values.map((v) => `'${v}'`).join(', ')})`;
  }
}

/**
 * The query that returns the rows breaking the test on `from` (none when it passes): a table
 * name, or a parenthesized SELECT (the rows of an incremental model's changed keys, see
 * `rowsOfKeys`). `table` names a relationships test's target table in the dialect.
 */
export function offendingRowsSql(from: string, test: DataTest, table: (name: string) => string = (name) => name): string {
  switch (test.kind) {
    case 'unique': {
      const cols = test.columns.join(', ');
      return `SELECT ${cols}, count(*) AS copies FROM ${from} AS t GROUP BY ${cols} HAVING count(*) > 1`;
    }
    case 'not_null':
      return `SELECT * FROM ${from} AS t WHERE ${test.columns.map((c) => `${c} IS NULL`).join(' OR ')}`;
    case 'relationships':
      return `SELECT t.* FROM ${from} AS t WHERE t.${test.column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${table(test.table)} AS r WHERE r.${test.to} = t.${test.column})`;
    case 'accepted_values':
      return `SELECT * FROM ${from} AS t WHERE ${test.column} IS NOT NULL AND ${test.column} NOT IN (${test.values.map(sqlString).join(', ')})`;
  }
}

/** `EXISTS` of a row's key in the keys table: the row `alias` of a model whose unique key is `uniqueKey`. */
export function keyMatch(alias: string, keysTable: string, uniqueKey: readonly string[]): string {
  return `EXISTS (SELECT 1 FROM ${keysTable} AS k WHERE ${uniqueKey.map((c) => `k.${c} IS NOT DISTINCT FROM ${alias}.${c}`).join(' AND ')})`;
}

/**
 * The rows of `table` whose key is in `keysTable`, as a parenthesized SELECT: an incremental
 * model's tests run on them only (tests over all history would grow with it).
 */
export function rowsOfKeys(table: string, keysTable: string, uniqueKey: readonly string[]): string {
  return `(SELECT * FROM ${table} AS m WHERE ${keyMatch('m', keysTable, uniqueKey)})`;
}
