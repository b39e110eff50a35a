/**
 * How eventlake names things in Snowflake. Every identifier is double-quoted and upper case: it
 * means exactly what the same name unquoted means to Snowflake (so `select * from vehicle`
 * works), and a name that is a reserved word (`DATE`, `ORGANIZATION`) is still safe. Names from
 * the options must be plain identifiers; they are never escaped, only accepted or refused.
 */
import { UserError } from '../../errors/user-error.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;

export function plainIdentifier(field: string, value: string): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new UserError(
      `The Snowflake ${field} must be a plain identifier (a letter or _ followed by letters, digits, _ or $), got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** A quoted identifier: upper case, so it resolves like the same name unquoted. */
export function q(name: string): string {
  return `"${name.toUpperCase()}"`;
}

/** `"DATABASE"."SCHEMA"`: both must be plain identifiers, quoted as every statement here quotes them. */
export function qualifiedSchema(database: string, schema: string): string {
  return `${q(plainIdentifier('database', database))}.${q(plainIdentifier('schema', schema))}`;
}

/** An object of the schema, `"DATABASE"."SCHEMA"."NAME"`, for a name of this module (never a user's). */
export function schemaObject(schema: string, name: string): string {
  return `${schema}.${q(name)}`;
}
