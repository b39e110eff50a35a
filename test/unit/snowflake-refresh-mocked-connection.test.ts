/**
 * The statements that make one published hour visible in Snowflake, sent to a mocked connection
 * (no Snowflake here): exact SQL, in order, names quoted as the DDL creates them.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/user-error.js';
import { refreshHourStatements, refreshSnowflakeHour } from '../../src/warehouse/snowflake/snowflake-refresh.js';
import { projectSnowflakeDdl } from '../../src/warehouse/snowflake/snowflake-project-ddl.js';
import type { SqlConnection } from '../../src/warehouse/warehouse-target.js';
import { loadWarehouseTarget } from '../../src/warehouse/warehouse-target-registry.js';

class RecordingConnection implements SqlConnection {
  readonly sent: string[] = [];
  constructor(private readonly answer: (sql: string) => Record<string, unknown>[]) {}
  async execute(sql: string): Promise<Record<string, unknown>[]> {
    this.sent.push(sql);
    return this.answer(sql);
  }
  async close(): Promise<void> {}
}

// Shapes snowflake-sdk returns: a status row for ALTER, the procedure's answer in a column named after it.
const answers = (sql: string): Record<string, unknown>[] =>
  sql.startsWith('EXECUTE TASK') ? [{ status: 'Task LOAD_LAKE_HOURLY is scheduled to run immediately.' }] : [{ status: 'Statement executed successfully.' }];

const EXPECTED = [
  `ALTER EXTERNAL TABLE "ANALYTICS"."EVENTLAKE"."LAKE_VEHICLE" REFRESH 'date=2019-06-01/hour=15/'`,
  `ALTER EXTERNAL TABLE "ANALYTICS"."EVENTLAKE"."LAKE_OPERATING_PERIOD" REFRESH 'date=2019-06-01/hour=15/'`,
  `EXECUTE TASK "ANALYTICS"."EVENTLAKE"."LOAD_LAKE_HOURLY"`,
];

describe('refreshing one hour in Snowflake (mocked connection)', () => {
  it('refreshes each external table at the hour\'s folder under its location, then runs the load task now, and answers what Snowflake said', async () => {
    const connection = new RecordingConnection(answers);
    const result = await refreshSnowflakeHour(connection, { database: 'analytics', schema: 'eventlake' }, '2019-06-01T15');
    expect(connection.sent).toEqual(EXPECTED);
    expect(result).toEqual({ statements: 3, load: 'Task LOAD_LAKE_HOURLY is scheduled to run immediately.' });
  });

  it('names exactly the objects the DDL creates, and a path its external tables\' PATTERN accepts under their LOCATION', () => {
    const ddl = projectSnowflakeDdl({
      lakeUrl: 's3://eventlake-lake/prod/',
      format: 'parquet',
      database: 'analytics',
      schema: 'eventlake',
      integration: 'eventlake_s3',
      awsRoleArn: 'arn:aws:iam::123456789012:role/eventlake-snowflake',
      warehouse: 'transform_wh',
    });
    expect(ddl).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_VEHICLE" (');
    expect(ddl).toContain('LOCATION = @"ANALYTICS"."EVENTLAKE"."LAKE_STAGE"/vehicle/');
    expect(ddl).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_OPERATING_PERIOD" (');
    expect(ddl).toContain('LOCATION = @"ANALYTICS"."EVENTLAKE"."LAKE_STAGE"/operating_period/');
    expect(ddl).toContain('CREATE OR REPLACE PROCEDURE "ANALYTICS"."EVENTLAKE"."LOAD_LAKE_HOURS"()');
    // The table's PATTERN matches the full path of a part in the refreshed folder.
    const pattern = new RegExp(`^${/PATTERN = '([^']+)'/.exec(ddl)![1]!}$`);
    const path = /REFRESH '([^']+)'/.exec(refreshHourStatements({ database: 'analytics', schema: 'eventlake' }, '2019-06-01T15')[0]!)![1]!;
    expect(pattern.test(`vehicle/${path}part-00000.parquet`)).toBe(true);
  });

  it('is what the registry\'s Snowflake target runs', async () => {
    const connection = new RecordingConnection(answers);
    const target = await loadWarehouseTarget({ kind: 'snowflake' });
    await expect(target.refreshHour(connection, { database: 'analytics', schema: 'eventlake' }, '2019-06-01T15')).resolves.toEqual({ statements: 3, load: 'Task LOAD_LAKE_HOURLY is scheduled to run immediately.' });
    expect(connection.sent).toEqual(EXPECTED);
  });

  it('stops at the first failing statement and throws it', async () => {
    const connection = new RecordingConnection((sql) => {
      if (sql.includes('LAKE_OPERATING_PERIOD')) throw new Error('SQL access control error: Insufficient privileges to operate on table');
      return answers(sql);
    });
    await expect(refreshSnowflakeHour(connection, { database: 'analytics', schema: 'eventlake' }, '2019-06-01T15')).rejects.toThrow('Insufficient privileges');
    expect(connection.sent).toEqual(EXPECTED.slice(0, 2));
  });

  it('refuses a name that is not a plain identifier or an hour that is not one, before sending anything', async () => {
    const connection = new RecordingConnection(answers);
    await expect(refreshSnowflakeHour(connection, { database: 'analytics"; DROP', schema: 'eventlake' }, '2019-06-01T15')).rejects.toThrow(UserError);
    await expect(refreshSnowflakeHour(connection, { database: 'analytics', schema: 'eventlake' }, "2019-06-01T15/'")).rejects.toThrow(
      'The hour to refresh must look like 2019-06-01T15, got "2019-06-01T15/\'".',
    );
    expect(connection.sent).toEqual([]);
  });
});
