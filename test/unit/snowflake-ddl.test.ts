import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitSqlStatements } from '../../src/warehouse/snowflake/snowflake-apply.js';
import { snowflakeDdl, type SnowflakeDdlOptions } from '../../src/warehouse/snowflake/snowflake-ddl.js';
import { projectSnowflakeDdl } from '../../src/warehouse/snowflake/snowflake-project-ddl.js';
import { snowflakeDialect } from '../../src/warehouse/snowflake/snowflake-dialect.js';
import { projectModels } from '../../src/warehouse/snowflake/snowflake-models.js';

const GOLDEN = new URL('../golden/snowflake-ddl.sql', import.meta.url);

const OPTIONS: SnowflakeDdlOptions = {
  lakeUrl: 's3://eventlake-lake/prod/',
  format: 'parquet',
  database: 'analytics',
  schema: 'eventlake',
  integration: 'eventlake_s3',
  awsRoleArn: 'arn:aws:iam::123456789012:role/eventlake-snowflake',
  warehouse: 'transform_wh',
};

const flat = (sql: string): string => sql.replace(/\s+/g, ' ');

describe('snowflakeDdl (no server: text only)', () => {
  it('matches the committed golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    const ddl = projectSnowflakeDdl(OPTIONS);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(GOLDEN, ddl);
    expect(ddl).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('has the documented pieces, in order, every statement ending with ;', () => {
    const ddl = projectSnowflakeDdl(OPTIONS);
    const statements = splitSqlStatements(ddl).map(flat);
    const order = [
      /^CREATE STORAGE INTEGRATION IF NOT EXISTS "EVENTLAKE_S3" TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' ENABLED = TRUE STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role\/eventlake-snowflake' STORAGE_ALLOWED_LOCATIONS = \('s3:\/\/eventlake-lake\/prod\/'\)$/,
      /^CREATE FILE FORMAT IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_PARQUET" TYPE = PARQUET/,
      /^CREATE STAGE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_STAGE" URL = 's3:\/\/eventlake-lake\/prod\/' STORAGE_INTEGRATION = "EVENTLAKE_S3" FILE_FORMAT = \(FORMAT_NAME = '"ANALYTICS"."EVENTLAKE"."LAKE_PARQUET"'\)$/,
      /^CREATE EXTERNAL TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_VEHICLE" \(/,
      /^CREATE EXTERNAL TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_OPERATING_PERIOD" \(/,
      /^CREATE TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."VEHICLE" \(.*\) CLUSTER BY \("DATE", "HOUR"\)$/,
      /^CREATE TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."OPERATING_PERIOD" \(.*\) CLUSTER BY \("DATE", "HOUR"\)$/,
      /^CREATE TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_LOADS" \(/,
      /^CREATE TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."_MODELS" \(/,
      // Every model of src/warehouse/models/, in build order, created from its own SELECT.
      ...projectModels(snowflakeDialect('"ANALYTICS"."EVENTLAKE"')).map(
        (m) => new RegExp(`^CREATE TABLE IF NOT EXISTS "ANALYTICS"\\."EVENTLAKE"\\."${m.name.toUpperCase()}"( CLUSTER BY \\([^)]*\\))? AS SELECT \\* FROM \\( .* \\) WHERE FALSE$`),
      ),
      /^CREATE OR REPLACE PROCEDURE "ANALYTICS"."EVENTLAKE"."LOAD_LAKE_HOURS"\(\) RETURNS VARCHAR LANGUAGE SQL .* AS \$\$.*\$\$$/,
      /^CREATE OR REPLACE TASK "ANALYTICS"."EVENTLAKE"."LOAD_LAKE_HOURLY" WAREHOUSE = "TRANSFORM_WH" SCHEDULE = 'USING CRON 30 \* \* \* \* UTC'/,
      /^ALTER TASK "ANALYTICS"."EVENTLAKE"."LOAD_LAKE_HOURLY" RESUME$/,
    ];
    let at = -1;
    for (const pattern of order) {
      const found = statements.findIndex((s, i) => i > at && pattern.test(s));
      expect(found, String(pattern)).toBeGreaterThan(at);
      at = found;
    }
    // Every statement of the script ends with ; (nothing is left after the last one).
    expect(ddl.trimEnd().endsWith(';')).toBe(true);
    expect(splitSqlStatements(`${ddl}\nSELECT 1`).at(-1)).toBe('SELECT 1');
  });

  it('partitions the external tables by date and hour parsed from metadata$filename, with AUTO_REFRESH', () => {
    const statements = splitSqlStatements(projectSnowflakeDdl(OPTIONS)).map(flat);
    const vehicle = statements.find((s) => s.startsWith('CREATE EXTERNAL TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_VEHICLE"'))!;
    expect(vehicle).toContain(`"DATE" DATE AS TO_DATE(SPLIT_PART(SPLIT_PART(METADATA$FILENAME, '/date=', 2), '/', 1), 'YYYY-MM-DD')`);
    expect(vehicle).toContain(`"HOUR" NUMBER(2, 0) AS TO_NUMBER(SPLIT_PART(SPLIT_PART(METADATA$FILENAME, '/hour=', 2), '/', 1))`);
    expect(vehicle).toMatch(/PARTITION BY \("DATE", "HOUR"\) LOCATION = @"ANALYTICS"."EVENTLAKE"."LAKE_STAGE"\/vehicle\/ .*AUTO_REFRESH = TRUE$/);
    expect(vehicle).toContain(`PATTERN = '.*/date=[0-9]{4}-[0-9]{2}-[0-9]{2}/hour=[0-9]{2}/part-[0-9]{5}[.]parquet'`);
    for (const column of ['"EVENT" VARCHAR AS (VALUE:event::VARCHAR)', '"EVENT_AT" TIMESTAMP_NTZ AS (VALUE:event_at::TIMESTAMP_NTZ)', '"LAT" FLOAT AS (VALUE:lat::FLOAT)', '"SOURCE_LINE" NUMBER(19, 0) AS (VALUE:source_line::NUMBER(19, 0))']) {
      expect(vehicle).toContain(column);
    }
    const period = statements.find((s) => s.includes('"LAKE_OPERATING_PERIOD" ('))!;
    expect(period).toContain('LOCATION = @"ANALYTICS"."EVENTLAKE"."LAKE_STAGE"/operating_period/');
    for (const column of ['"PERIOD_ID" VARCHAR AS (VALUE:period_id::VARCHAR)', '"START_AT" TIMESTAMP_NTZ', '"FINISH_AT" TIMESTAMP_NTZ']) expect(period).toContain(column);
  });

  it('reads Avro timestamps as epoch milliseconds and names the Avro file format', () => {
    const ddl = flat(projectSnowflakeDdl({ ...OPTIONS, format: 'avro' }));
    expect(ddl).toContain('CREATE FILE FORMAT IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."LAKE_AVRO" TYPE = AVRO;');
    expect(ddl).toContain('"EVENT_AT" TIMESTAMP_NTZ AS (TO_TIMESTAMP_NTZ(VALUE:event_at::NUMBER, 3))');
    expect(ddl).toContain("part-[0-9]{5}[.]avro'");
  });

  it('loads hourly by a task calling an idempotent procedure (replace the hour, then each model replaces its rows of the changed keys)', () => {
    const ddl = flat(projectSnowflakeDdl(OPTIONS));
    expect(ddl).toContain('Snowpipe only COPYs');
    expect(ddl).toMatch(/DELETE FROM "ANALYTICS"."EVENTLAKE"."VEHICLE" AS "T" USING .*INSERT INTO "ANALYTICS"."EVENTLAKE"."VEHICLE"/);
    expect(ddl).toMatch(/DELETE FROM "ANALYTICS"."EVENTLAKE"."FACT_VEHICLE_LOCATION" AS "T" USING "ANALYTICS"."EVENTLAKE"."_KEYS_FACT_VEHICLE_LOCATION" AS "K"/);
    expect(ddl).not.toContain('MERGE INTO "ANALYTICS"."EVENTLAKE"."FACT_VEHICLE_LOCATION"');
    expect(ddl).toContain('2 * 6371.0088 * asin(');
    expect(ddl).toContain(`latest_event = 'create'`);
    expect(ddl).toContain('CALL "ANALYTICS"."EVENTLAKE"."LOAD_LAKE_HOURS"()');
  });

  it.each([
    ['database', { database: 'my-db' }, /database must be a plain identifier/],
    ['schema', { schema: 'x"; DROP TABLE y; --' }, /schema must be a plain identifier/],
    ['integration', { integration: '1abc' }, /storage integration must be a plain identifier/],
    ['warehouse', { warehouse: '' }, /warehouse must be a plain identifier/],
    ['lake URL scheme', { lakeUrl: 'gs://bucket/prefix/' }, /lake URL must look like s3:\/\/bucket\/prefix\//],
    ['lake URL quote', { lakeUrl: "s3://bucket/it's/" }, /lake URL/],
    ['lake URL without a bucket path', { lakeUrl: 's3://bucket' }, /lake URL/],
    ['lake URL ..', { lakeUrl: 's3://bucket/a/../b/' }, /lake URL/],
    ['role ARN', { awsRoleArn: "arn:aws:iam::1:role/x'" }, /AWS role must be an IAM role ARN/],
  ])('refuses a bad %s with one sentence', (_what, change, message) => {
    const run = (): string => projectSnowflakeDdl({ ...OPTIONS, ...change } as SnowflakeDdlOptions);
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      const text = (error as Error).message;
      expect(text.endsWith('.')).toBe(true);
      expect(text.split('\n')).toHaveLength(1);
    }
  });

  it('refuses to write a DDL without compiled models, rather than one without a star schema', () => {
    expect(() => snowflakeDdl(OPTIONS)).toThrow(/generated from the compiled warehouse models/);
  });

  it('accepts a lake URL without the final slash or with the bucket root', () => {
    expect(projectSnowflakeDdl({ ...OPTIONS, lakeUrl: 's3://eventlake-lake/prod' })).toBe(projectSnowflakeDdl(OPTIONS));
    expect(projectSnowflakeDdl({ ...OPTIONS, lakeUrl: 's3://eventlake-lake/' })).toContain("URL = 's3://eventlake-lake/'");
  });
});
