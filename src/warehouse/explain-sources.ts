/**
 * What a query names, from DuckDB's parse tree (`json_serialize_sql`, which parses without
 * binding): the lake views (`lake.vehicle`), the internal tables of the same names, and Parquet
 * files by path (`read_parquet('<glob>')`, `read_parquet([…])`, `FROM '<file>.parquet'`).
 */

export interface NamedSources {
  readonly views: readonly string[];
  readonly tables: readonly string[];
  /** Each `read_parquet` or path as its patterns; undefined where they are no constant strings. */
  readonly paths: readonly (readonly string[] | undefined)[];
}

const PARQUET_FUNCTIONS = new Set(['read_parquet', 'parquet_scan']);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A constant string, or a list of them, as the parser serializes it. */
function constantStrings(expression: unknown): string[] | undefined {
  if (!isObject(expression)) return undefined;
  if (expression['class'] === 'CONSTANT') {
    const value = expression['value'];
    return isObject(value) && typeof value['value'] === 'string' ? [value['value']] : undefined;
  }
  if (expression['class'] === 'FUNCTION' && expression['function_name'] === 'list_value' && Array.isArray(expression['children'])) {
    const items = (expression['children'] as unknown[]).map(constantStrings);
    return items.every((i) => i !== undefined) ? items.flat() : undefined;
  }
  return undefined;
}

export function namedSources(parsed: unknown, entities: readonly string[]): NamedSources {
  const views = new Set<string>();
  const tables = new Set<string>();
  const paths: (string[] | undefined)[] = [];
  const known = new Set(entities);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!isObject(node)) return;
    if (node['type'] === 'BASE_TABLE') {
      const schema = String(node['schema_name'] ?? '');
      const table = String(node['table_name'] ?? '');
      if (schema === 'lake' && known.has(table)) views.add(table);
      else if ((schema === '' || schema === 'main') && known.has(table)) tables.add(table);
      else if (schema === '' && (table.includes('/') || /\.parquet$/i.test(table))) paths.push([table]);
    } else if (node['type'] === 'TABLE_FUNCTION' && isObject(node['function'])) {
      const fn = node['function'];
      if (PARQUET_FUNCTIONS.has(String(fn['function_name']).toLowerCase())) {
        paths.push(Array.isArray(fn['children']) ? constantStrings((fn['children'] as unknown[])[0]) : undefined);
      }
    }
    Object.values(node).forEach(walk);
  };
  walk(parsed);
  return { views: [...views].sort(), tables: [...tables].sort(), paths };
}
