/** The models' macros in DuckDB: `hash(…)` surrogate keys, strftime date keys, plain table names. */
import type { ModelDialect } from '../model-dialect.js';

export const duckdbDialect: ModelDialect = {
  name: 'duckdb',
  table: (name) => name,
  changesTable: (name) => `_changes_${name}`,
  keysTable: (name) => `_keys_${name}`,
  key: (expressions) => `hash(${expressions.join(', ')})`,
  dateKey: (timestamp) => `CAST(strftime(${timestamp}, '%Y%m%d') AS INTEGER)`,
  minuteOfDay: (timestamp) => `CAST(hour(${timestamp}) * 60 + minute(${timestamp}) AS INTEGER)`,
  isoWeekday: (date) => `isodow(${date})`,
};
