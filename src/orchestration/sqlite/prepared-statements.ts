/**
 * Prepared statements kept per database: preparing is most of the cost of a small query, and
 * the engine runs the same few on every task. Statements built for lists (`IN (?, ?, …)`) vary
 * with the list's length; the cache is emptied if it ever grows past a bound.
 */
import type { Statement } from 'better-sqlite3';
import type { StateDatabase } from './state-database.js';

const MAX_CACHED = 256;

export type Prepare = (sql: string) => Statement;

/** `?, ?, ?` for a list bound to `IN (…)`. */
export function placeholders(items: readonly unknown[]): string {
  return items.map(() => '?').join(', ');
}

export function preparedStatements(db: StateDatabase): Prepare {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= MAX_CACHED) cache.clear();
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}
