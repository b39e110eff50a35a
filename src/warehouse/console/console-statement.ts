/**
 * What a person's text is, told by DuckDB's parser alone, before anything is prepared: preparing
 * binds, and binding already acts (`EXPORT DATABASE '<dir>'` creates its folder while being
 * prepared, refused or not). `extractStatements` counts the statements (trailing `;` and comments
 * are none), and `json_serialize_sql` parses without binding and serializes only SELECTs (its
 * forms: FROM-first, WITH, VALUES, set operations, SHOW, DESCRIBE, SUMMARIZE).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { oneLine, refused } from './console-refusal.js';

interface Serialized {
  readonly error?: boolean;
  readonly error_message?: string;
  readonly statements?: readonly unknown[];
}

/** The first keyword of the text, for the refusal's wording only: the parser decided. */
function firstKeyword(sql: string): string {
  const text = sql.replace(/^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/|\()+/, '');
  return /^[A-Za-z]+/.exec(text)?.[0].toUpperCase() ?? 'something else';
}

/** Refuses, in one sentence, anything but one statement DuckDB's parser calls a SELECT. */
export async function checkConsoleStatement(connection: DuckDBConnection, sql: string): Promise<void> {
  let count: number;
  try {
    count = (await connection.extractStatements(sql)).count;
  } catch (err) {
    throw refused(oneLine(err) || 'it holds no statement');
  }
  if (count === 0) throw refused('it holds no statement');
  if (count > 1) throw refused(`it holds ${count} statements; send one at a time`);
  const serialize = await connection.prepare('SELECT json_serialize_sql($1::VARCHAR) AS parsed');
  let parsed: Serialized;
  try {
    serialize.bindVarchar(1, sql);
    const [row] = (await serialize.runAndReadAll()).getRowObjectsJson();
    parsed = JSON.parse(String(row?.['parsed'] ?? '{}')) as Serialized;
  } finally {
    serialize.destroySync();
  }
  if (parsed.error) {
    if (!/Only SELECT statements/i.test(parsed.error_message ?? '')) throw refused(oneLine(parsed.error_message ?? 'DuckDB could not parse it'));
    const kind = firstKeyword(sql);
    // EXPLAIN too: EXPLAIN ANALYZE runs what it explains (ask for the plan with explain instead).
    const hint = kind === 'EXPLAIN' ? ' (ask for the plan with the explain option instead)' : '';
    throw refused(`only reading is allowed here: DuckDB parses this as ${kind}, not SELECT${hint}`);
  }
  if (parsed.statements?.length !== 1) throw refused(`it holds ${parsed.statements?.length ?? 0} statements; send one at a time`);
}
