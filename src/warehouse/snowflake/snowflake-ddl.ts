/**
 * The Snowflake DDL for one lake: storage integration, file format and stage over the lake's
 * S3 location, an external table per entity (partitioned by the lake's `date=`/`hour=`
 * folders), internal tables, the star schema compiled from the warehouse models (the same
 * models the DuckDB warehouse builds, see snowflake-star-schema.ts) and the hourly load (a
 * stored procedure called by a task on a CRON schedule, see snowflake-hour-load.ts).
 *
 * Names are quoted and upper case (snowflake-names.ts).
 */
import { UserError } from '../../errors/user-error.js';
import type { Column, Entity } from '../../events/entity.js';
import type { CompiledModel } from '../compiled-model.js';
import type { ModelDialect } from '../model-dialect.js';
import { snowflakeDialect } from './snowflake-dialect.js';
import { hourLoadBody } from './snowflake-hour-load.js';
import { partitionDate, partitionHour } from './snowflake-lake-paths.js';
import { checkedRunOrder } from './snowflake-model-order.js';
import { plainIdentifier, q, qualifiedSchema, schemaObject } from './snowflake-names.js';
import { EXTERNAL_TABLES, LOAD_PROCEDURE, LOAD_TASK } from './snowflake-objects.js';
import { starSchemaTables } from './snowflake-star-schema.js';

export { EXTERNAL_TABLES, LOAD_PROCEDURE, LOAD_TASK, qualifiedSchema, schemaObject };

export interface SnowflakeDdlOptions {
  /** The lake's root, `s3://bucket/prefix/`. */
  readonly lakeUrl: string;
  readonly format: 'parquet' | 'avro';
  readonly database: string;
  readonly schema: string;
  /** The storage integration (account-level) that lets Snowflake read the bucket. */
  readonly integration: string;
  /** The IAM role Snowflake assumes to read the bucket. */
  readonly awsRoleArn: string;
  /** The virtual warehouse the hourly task runs on. */
  readonly warehouse: string;
}

const BUCKET = '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]';
const SEGMENT = '[A-Za-z0-9!_.*()=+-]+';
const LAKE_URL = new RegExp(`^s3://${BUCKET}/(?:${SEGMENT}(?:/${SEGMENT})*/?)?$`);
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** The cron the hourly task runs on: 30 minutes past each hour (UTC), after the lake's hour
 * is due (eventlake runs hour H at H+1:10 and its deadline is H+1:20). */
export const LOAD_SCHEDULE = 'USING CRON 30 * * * * UTC';

function lakeUrl(value: string): string {
  const segments = typeof value === 'string' ? value.split('/').slice(3) : [];
  if (typeof value !== 'string' || !LAKE_URL.test(value) || segments.some((s) => s === '.' || s === '..')) {
    throw new UserError(`The lake URL must look like s3://bucket/prefix/ (a bucket name, then an optional plain path), got ${JSON.stringify(value)}.`);
  }
  return value.endsWith('/') ? value : `${value}/`;
}

interface Names {
  integration: string;
  database: string;
  schema: string;
  warehouse: string;
  fileFormat: string;
  stage: string;
  /** Fully qualified name of an object in the schema. */
  in(name: string): string;
}

function sqlType(column: Column): string {
  switch (column.type) {
    case 'string':
      return 'VARCHAR';
    case 'double':
      return 'FLOAT';
    case 'timestamp':
      return 'TIMESTAMP_NTZ';
  }
}

/** How a lake column is read from the external table's VALUE variant. */
function valueExpression(column: Column, format: 'parquet' | 'avro'): string {
  if (column.type === 'timestamp' && format === 'avro') {
    // Avro timestamp-millis arrives as its underlying long: milliseconds since the epoch (UTC).
    return `TO_TIMESTAMP_NTZ(VALUE:${column.name}::NUMBER, 3)`;
  }
  return `VALUE:${column.name}::${sqlType(column)}`;
}

/** A column of an entity's lake files: its SQL type and how it is read from VALUE. */
interface LakeColumn {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly value: string;
}

/** The lake's own columns of an entity table (after `date` and `hour`), as the part writers write them. */
function lakeColumns(entity: Entity, format: 'parquet' | 'avro'): LakeColumn[] {
  return [
    ...entity.columns.map((c) => ({ name: c.name, type: sqlType(c), nullable: c.nullable, value: valueExpression(c, format) })),
    { name: 'source_object', type: 'VARCHAR', nullable: false, value: 'VALUE:source_object::VARCHAR' },
    { name: 'source_line', type: 'NUMBER(19, 0)', nullable: false, value: 'VALUE:source_line::NUMBER(19, 0)' },
  ];
}

function statement(comment: string | null, sql: string): string {
  const lines = comment === null ? [] : comment.split('\n').map((line) => `-- ${line}`.trimEnd());
  return [...lines, `${sql.trim()};`].join('\n');
}

/** Compiles the warehouse models for a dialect, in build order. */
export type ModelCompiler = (dialect: ModelDialect) => readonly CompiledModel[];

/**
 * The DDL with the star schema and load compiled by `compile`: the project's models are given by
 * projectSnowflakeDdl() (snowflake-project-ddl.ts). Not imported here, so a module that only names
 * this one (the Lambda's hour refresh, through the target registry) never bundles the model
 * compiler and its template engine.
 */
export function snowflakeDdl(options: SnowflakeDdlOptions, compile?: ModelCompiler): string {
  if (compile === undefined) {
    throw new Error('The Snowflake DDL is generated from the compiled warehouse models: call projectSnowflakeDdl() (snowflake-project-ddl.ts), or give a model compiler.');
  }
  const format = options.format;
  if (format !== 'parquet' && format !== 'avro') {
    throw new UserError(`The lake format must be parquet or avro, got ${JSON.stringify(format)}.`);
  }
  const url = lakeUrl(options.lakeUrl);
  if (typeof options.awsRoleArn !== 'string' || !ROLE_ARN.test(options.awsRoleArn)) {
    throw new UserError(`The AWS role must be an IAM role ARN like arn:aws:iam::123456789012:role/name, got ${JSON.stringify(options.awsRoleArn)}.`);
  }
  const database = q(plainIdentifier('database', options.database));
  const schema = qualifiedSchema(options.database, options.schema);
  const names: Names = {
    integration: q(plainIdentifier('storage integration', options.integration)),
    database,
    schema,
    warehouse: q(plainIdentifier('warehouse', options.warehouse)),
    fileFormat: `${schema}.${q(`lake_${format}`)}`,
    stage: `${schema}.${q('lake_stage')}`,
    in: (name) => schemaObject(schema, name),
  };
  const ext = format === 'parquet' ? 'parquet' : 'avro';
  const n = names.in;
  const entities = EXTERNAL_TABLES.map(({ entity, table }) => ({ entity, lake: n(table), table: n(entity.name) }));
  const loads = n('lake_loads');
  const dialect = snowflakeDialect(schema);
  const sources = entities.map(({ entity }) => entity.name);
  const models = checkedRunOrder(compile(dialect), sources);

  const out: string[] = [];
  out.push(
    [
      `-- eventlake: the Snowflake warehouse for the lake at ${url} (${format}).`,
      '-- Generated by snowflakeDdl(); apply it with applySnowflake(), one statement at a time, in order.',
      '-- Objects that hold data or wiring (integration, database, schema, file format, stage, tables)',
      '-- are created IF NOT EXISTS: applying this twice changes nothing and loses nothing. To change',
      '-- the lake URL or format, drop those objects first. The procedure and the task are replaced on',
      '-- every apply; a model whose SQL changed is rebuilt whole by the next load.',
    ].join('\n'),
  );

  out.push(
    statement(
      [
        'Lets Snowflake read the bucket by assuming the IAM role. After creating it, run',
        `DESC INTEGRATION ${names.integration} and put STORAGE_AWS_IAM_USER_ARN and`,
        "STORAGE_AWS_EXTERNAL_ID in the role's trust policy. Never CREATE OR REPLACE it: a new",
        'integration gets a new external id and breaks that trust policy.',
      ].join('\n'),
      `CREATE STORAGE INTEGRATION IF NOT EXISTS ${names.integration}
  TYPE = EXTERNAL_STAGE
  STORAGE_PROVIDER = 'S3'
  ENABLED = TRUE
  STORAGE_AWS_ROLE_ARN = '${options.awsRoleArn}'
  STORAGE_ALLOWED_LOCATIONS = ('${url}')`,
    ),
  );
  out.push(statement(null, `CREATE DATABASE IF NOT EXISTS ${names.database}`));
  out.push(statement(null, `CREATE SCHEMA IF NOT EXISTS ${names.schema}`));
  out.push(statement('The warehouse runs the statements below that read data, and the hourly task.', `USE WAREHOUSE ${names.warehouse}`));
  out.push(statement(null, `USE SCHEMA ${names.schema}`));

  out.push(
    statement(
      format === 'parquet'
        ? 'The lake\'s Parquet files; USE_LOGICAL_TYPE reads TIMESTAMP(isAdjustedToUTC) columns as timestamps.'
        : "The lake's Avro files (timestamps are timestamp-millis longs, converted in the external tables).",
      format === 'parquet'
        ? `CREATE FILE FORMAT IF NOT EXISTS ${names.fileFormat}
  TYPE = PARQUET
  USE_LOGICAL_TYPE = TRUE`
        : `CREATE FILE FORMAT IF NOT EXISTS ${names.fileFormat}
  TYPE = AVRO`,
    ),
  );
  out.push(
    statement(
      "The lake's root. Its _quarantine/, _staging/ and _leases/ folders are never read: each external table has its entity's folder as LOCATION and a PATTERN for part files.",
      `CREATE STAGE IF NOT EXISTS ${names.stage}
  URL = '${url}'
  STORAGE_INTEGRATION = ${names.integration}
  FILE_FORMAT = (FORMAT_NAME = '${names.fileFormat}')`,
    ),
  );

  for (const { entity, lake } of entities) {
    const columns = lakeColumns(entity, format);
    const width = Math.max(...columns.map((c) => c.name.length), 4) + 2;
    const pad = (name: string): string => q(name).padEnd(width + 1);
    out.push(
      statement(
        [
          `The lake's ${entity.name} files, read in place. date and hour come from the file's path, so`,
          'a query filtering on them reads only those partitions. AUTO_REFRESH registers new and',
          "replaced files from S3 event notifications: point the bucket's ObjectCreated and ObjectRemoved",
          `events for ${entity.name}/ at the notification_channel of SHOW EXTERNAL TABLES.`,
        ].join('\n'),
        `CREATE EXTERNAL TABLE IF NOT EXISTS ${lake} (
  ${pad('date')}DATE AS ${partitionDate('METADATA$FILENAME')},
  ${pad('hour')}NUMBER(2, 0) AS ${partitionHour('METADATA$FILENAME')},
${columns.map((c) => `  ${pad(c.name)}${c.type} AS (${c.value})`).join(',\n')}
)
PARTITION BY ("DATE", "HOUR")
LOCATION = @${names.stage}/${entity.name}/
PATTERN = '.*/date=[0-9]{4}-[0-9]{2}-[0-9]{2}/hour=[0-9]{2}/part-[0-9]{5}[.]${ext}'
FILE_FORMAT = (FORMAT_NAME = '${names.fileFormat}')
REFRESH_ON_CREATE = TRUE
AUTO_REFRESH = TRUE`,
      ),
    );
  }

  for (const { entity, table } of entities) {
    const columns = lakeColumns(entity, format);
    const width = Math.max(...columns.map((c) => c.name.length), 4) + 2;
    const pad = (name: string): string => q(name).padEnd(width + 1);
    out.push(
      statement(
        `The lake's ${entity.name} rows loaded hour by hour (exact duplicates kept, as in the lake).`,
        `CREATE TABLE IF NOT EXISTS ${table} (
  ${pad('date')}DATE NOT NULL,
  ${pad('hour')}NUMBER(2, 0) NOT NULL,
${columns.map((c) => `  ${pad(c.name)}${c.type}${c.nullable ? '' : ' NOT NULL'}`).join(',\n')}
)
CLUSTER BY ("DATE", "HOUR")`,
      ),
    );
  }

  out.push(
    statement(
      'Which files of each hour were last loaded: an hour whose files changed (new, rerun, late files) is loaded again.',
      `CREATE TABLE IF NOT EXISTS ${loads} (
  "ENTITY"      VARCHAR NOT NULL,
  "DATE"        DATE NOT NULL,
  "HOUR"        NUMBER(2, 0) NOT NULL,
  "FINGERPRINT" NUMBER(19, 0) NOT NULL,
  "FILES"       NUMBER NOT NULL,
  "LOADED_AT"   TIMESTAMP_LTZ NOT NULL,
  PRIMARY KEY ("ENTITY", "DATE", "HOUR")
)`,
    ),
  );

  for (const { comment, sql } of starSchemaTables(schema, models, dialect)) out.push(statement(comment, sql));

  const body = hourLoadBody({
    database: names.database,
    schema,
    tables: entities.map(({ entity, lake, table }) => ({
      name: entity.name,
      lake,
      table,
      columns: ['date', 'hour', ...lakeColumns(entity, format).map((c) => c.name)].map(q),
    })),
    loads,
    hours: n('lake_hours_to_load'),
    models,
    dialect,
  });
  out.push(
    statement(
      [
        'The hourly load, callable by hand too (CALL it to load now). Idempotent: it refreshes the',
        'external tables, then loads every hour whose files differ from those it was last loaded from',
        '(deleted and inserted whole) and removes every hour whose files are gone; each model then',
        'replaces its rows of the changed keys. All in one transaction, so a failed load leaves the',
        'tables as they were and the next run retries it.',
      ].join('\n'),
      `CREATE OR REPLACE PROCEDURE ${n(LOAD_PROCEDURE)}()
  RETURNS VARCHAR
  LANGUAGE SQL
  EXECUTE AS CALLER
AS
$$
${body}
$$`,
    ),
  );
  out.push(
    statement(
      [
        'A task on a CRON schedule rather than Snowpipe: Snowpipe only COPYs new files into one table,',
        'while each hour here must replace the hour in the internal tables (DELETE + INSERT, so a rerun',
        'of an hour does not double it) and replace the rows derived from it in every model, which a',
        'pipe cannot do. The task runs after the hour is due in the lake and retries at the next run.',
      ].join('\n'),
      `CREATE OR REPLACE TASK ${n(LOAD_TASK)}
  WAREHOUSE = ${names.warehouse}
  SCHEDULE = '${LOAD_SCHEDULE}'
  TIMEZONE = 'UTC'
  ALLOW_OVERLAPPING_EXECUTION = FALSE
  COMMENT = 'eventlake: load the lake hours that changed, then the models'
AS
  CALL ${n(LOAD_PROCEDURE)}()`,
    ),
  );
  out.push(statement('A task is created suspended.', `ALTER TASK ${n(LOAD_TASK)} RESUME`));
  return `${out.join('\n\n')}\n`;
}
