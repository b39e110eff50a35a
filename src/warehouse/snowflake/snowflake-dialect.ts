/**
 * The model dialect for Snowflake: what the model macros become in the load procedure's SQL.
 * Every name is qualified and quoted (`"DB"."SCHEMA"."DIM_VEHICLE"`), so the SQL means the same
 * whatever the session's current schema is; the build's changes and keys tables are temporary
 * tables of the load's session, named with a leading `_` so no model or loaded table can share
 * one's name (a temporary table would hide a permanent table of the same name).
 */
import type { ModelDialect } from '../model-dialect.js';
import { schemaObject } from './snowflake-names.js';

const NAME = /^[a-z_][a-z0-9_]*$/;

function checked(name: string): string {
  if (!NAME.test(name)) throw new Error(`A model or loaded table name must be lower-case letters, digits and _, got ${JSON.stringify(name)}.`);
  return name;
}

/**
 * A key part as text, the same in every session: a string is itself, a number and a float have
 * one text form, and the load procedure fixes TIMESTAMP_NTZ_OUTPUT_FORMAT for its session before
 * it computes any key (TO_VARCHAR of a timestamp follows that parameter). NULL is the empty
 * string, so a key is never NULL.
 */
function part(expression: string): string {
  return `COALESCE(TO_VARCHAR(${expression}), '')`;
}

/** The fixed timestamp text of key parts (nanoseconds: no two distinct timestamps share one). */
export const KEY_TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF9';

/** The dialect for the models of the schema `"DB"."SCHEMA"` (as qualifiedSchema() writes it). */
export function snowflakeDialect(schema: string): ModelDialect {
  return {
    name: 'snowflake',
    table: (name) => schemaObject(schema, checked(name)),
    changesTable: (name) => schemaObject(schema, `_changes_${checked(name)}`),
    keysTable: (name) => schemaObject(schema, `_keys_${checked(name)}`),
    // MD5_NUMBER_LOWER64: the lower 64 bits of the MD5 of a string, as an unsigned integer
    // (NUMBER(20, 0)). One part hashes as the bare text, as eventlake's keys always have; several
    // are joined with '|'.
    key: (expressions) => {
      if (expressions.length === 0) throw new Error('A key needs at least one expression.');
      return `MD5_NUMBER_LOWER64(${expressions.map(part).join(` || '|' || `)})`;
    },
    // Integer arithmetic on the timestamp's parts: no format string, no session parameter. The
    // lake's timestamps are TIMESTAMP_NTZ holding UTC, so the parts are UTC's.
    dateKey: (timestamp) => `(YEAR(${timestamp}) * 10000 + MONTH(${timestamp}) * 100 + DAY(${timestamp}))`,
    minuteOfDay: (timestamp) => `(HOUR(${timestamp}) * 60 + MINUTE(${timestamp}))`,
    // DAYOFWEEKISO is 1 (Monday) to 7 whatever the WEEK_START parameter says.
    isoWeekday: (date) => `DAYOFWEEKISO(${date})`,
    // DATE_TRUNC keeps the timestamp's type (TIMESTAMP_NTZ holding UTC here).
    hourStart: (timestamp) => `DATE_TRUNC('HOUR', ${timestamp})`,
  };
}
