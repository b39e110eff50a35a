/**
 * Makes one published hour visible in Snowflake at once, instead of waiting for the hourly task:
 * each external table re-lists only that hour's folder (new parts added, parts a rerun removed
 * dropped, whatever the S3 notifications did or did not deliver yet), then the hourly load task
 * is run now. Through the task, not a CALL of its procedure: the task never overlaps itself
 * (ALLOW_OVERLAPPING_EXECUTION = FALSE), so a close and the :30 schedule cannot load one hour
 * twice at once, and EXECUTE TASK returns at once instead of holding the Lambda for the load.
 * Names are those snowflake-ddl.ts creates.
 */
import { UserError } from '../../errors/user-error.js';
import { parseHour } from '../../pipeline/hour.js';
import { partitionOf } from '../../pipeline/lake-layout.js';
import type { SqlConnection } from '../warehouse-target.js';
import { qualifiedSchema, schemaObject } from './snowflake-names.js';
import { EXTERNAL_TABLES, LOAD_TASK } from './snowflake-objects.js';

/** Where the lake's objects are in Snowflake. */
export interface SnowflakeLocation {
  readonly database: string;
  readonly schema: string;
}

export interface HourRefresh {
  readonly statements: number;
  /** What Snowflake answered to starting the load task. */
  readonly load: string;
}

/**
 * The statements, in order. A REFRESH path is relative to the table's LOCATION (its entity's
 * folder), so it is the partition's path without the entity: `date=2019-06-01/hour=15/`.
 */
export function refreshHourStatements(location: SnowflakeLocation, hour: string): string[] {
  const parsed = parseHour(hour);
  if (!parsed) throw new UserError(`The hour to refresh must look like 2019-06-01T15, got ${JSON.stringify(hour)}.`);
  const schema = qualifiedSchema(location.database, location.schema);
  return [
    ...EXTERNAL_TABLES.map(({ entity, table }) => {
      const path = partitionOf(entity.name, parsed).slice(entity.name.length + 1);
      return `ALTER EXTERNAL TABLE ${schemaObject(schema, table)} REFRESH '${path}/'`;
    }),
    `EXECUTE TASK ${schemaObject(schema, LOAD_TASK)}`,
  ];
}

/** Runs the statements one at a time; the first failure stops the rest and is thrown. */
export async function refreshSnowflakeHour(connection: SqlConnection, location: SnowflakeLocation, hour: string): Promise<HourRefresh> {
  const statements = refreshHourStatements(location, hour);
  let answer: Record<string, unknown>[] = [];
  for (const sql of statements) answer = await connection.execute(sql);
  // EXECUTE TASK answers one row, one column: that the task run was scheduled.
  const value = answer[0] === undefined ? undefined : Object.values(answer[0])[0];
  return { statements: statements.length, load: value === undefined || value === null ? '' : String(value) };
}
