/**
 * The Snowflake DDL for one lake: storage integration, file format and stage over the lake's
 * S3 location, an external table per entity (partitioned by the lake's `date=`/`hour=`
 * folders), internal tables, the star schema, the BI view and the hourly load (a stored
 * procedure called by a task on a CRON schedule).
 *
 * Every identifier is double-quoted and upper case: it means exactly what the same name
 * unquoted means to Snowflake (so `select * from vehicle` works), and a name that is a
 * reserved word (`DATE`, `ORGANIZATION`) is still safe. Names from the options must be plain
 * identifiers; they are never escaped, only accepted or refused.
 */
import { UserError } from '../../errors/user-error.js';
import type { Column, Entity } from '../../events/entity.js';
import { operatingPeriod } from '../../events/operating-period.js';
import { vehicle } from '../../events/vehicle.js';

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

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;
const BUCKET = '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]';
const SEGMENT = '[A-Za-z0-9!_.*()=+-]+';
const LAKE_URL = new RegExp(`^s3://${BUCKET}/(?:${SEGMENT}(?:/${SEGMENT})*/?)?$`);
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** The cron the hourly task runs on: 30 minutes past each hour (UTC), after the lake's hour
 * is due (eventlake runs hour H at H+1:10 and its deadline is H+1:20). */
export const LOAD_SCHEDULE = 'USING CRON 30 * * * * UTC';

function plainIdentifier(field: string, value: string): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new UserError(
      `The Snowflake ${field} must be a plain identifier (a letter or _ followed by letters, digits, _ or $), got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function lakeUrl(value: string): string {
  const segments = typeof value === 'string' ? value.split('/').slice(3) : [];
  if (typeof value !== 'string' || !LAKE_URL.test(value) || segments.some((s) => s === '.' || s === '..')) {
    throw new UserError(`The lake URL must look like s3://bucket/prefix/ (a bucket name, then an optional plain path), got ${JSON.stringify(value)}.`);
  }
  return value.endsWith('/') ? value : `${value}/`;
}

/** A quoted identifier: upper case, so it resolves like the same name unquoted. */
function q(name: string): string {
  return `"${name.toUpperCase()}"`;
}

/** Each entity's external table over its lake folder (its internal table bears the entity's name). */
export const EXTERNAL_TABLES: readonly { readonly entity: Entity; readonly table: string }[] = [
  { entity: vehicle, table: 'lake_vehicle' },
  { entity: operatingPeriod, table: 'lake_operating_period' },
];

/** The stored procedure that loads the hours whose files changed. */
export const LOAD_PROCEDURE = 'load_lake_hours';
/** The task that runs the load hourly; runs of it never overlap. */
export const LOAD_TASK = 'load_lake_hourly';

/** `"DATABASE"."SCHEMA"`: both must be plain identifiers, quoted as every statement here quotes them. */
export function qualifiedSchema(database: string, schema: string): string {
  return `${q(plainIdentifier('database', database))}.${q(plainIdentifier('schema', schema))}`;
}

/** An object of the schema, `"DATABASE"."SCHEMA"."NAME"`, for a name of this module (never a user's). */
export function schemaObject(schema: string, name: string): string {
  return `${schema}.${q(name)}`;
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

/** `date` and `hour` of a lake file from its path (`…/date=YYYY-MM-DD/hour=HH/part-NNNNN.ext`). */
function partitionDate(path: string): string {
  return `TO_DATE(SPLIT_PART(SPLIT_PART(${path}, '/date=', 2), '/', 1), 'YYYY-MM-DD')`;
}

function partitionHour(path: string): string {
  return `TO_NUMBER(SPLIT_PART(SPLIT_PART(${path}, '/hour=', 2), '/', 1))`;
}

function statement(comment: string | null, sql: string): string {
  const lines = comment === null ? [] : comment.split('\n').map((line) => `-- ${line}`.trimEnd());
  return [...lines, `${sql.trim()};`].join('\n');
}

const HAVERSINE_KM = (lat: string, lng: string, previousLat: string, previousLng: string): string =>
  `2 * 6371.0088 * ASIN(LEAST(1, SQRT(
        POWER(SIN(RADIANS(${lat} - ${previousLat}) / 2), 2)
        + COS(RADIANS(${previousLat})) * COS(RADIANS(${lat})) * POWER(SIN(RADIANS(${lng} - ${previousLng}) / 2), 2)
      )))`;

export function snowflakeDdl(options: SnowflakeDdlOptions): string {
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
  const hoursToLoad = n('lake_hours_to_load');
  const periodsToRefresh = n('lake_periods_to_refresh');
  const loads = n('lake_loads');
  const inLoadedHours = (alias: string, entity: string): string =>
    `JOIN ${hoursToLoad} AS "H" ON "H"."ENTITY" = '${entity}' AND ${alias}."DATE" = "H"."DATE" AND ${alias}."HOUR" = "H"."HOUR"`;
  const key = (expression: string): string => `MD5_NUMBER_LOWER64(${expression})`;
  const pointKey = `${key(`"VEHICLE_ID" || '|' || DATE_PART(EPOCH_MILLISECOND, "LOCATION_AT") || '|' || "LAT" || '|' || "LNG"`)}`;

  const out: string[] = [];
  out.push(
    [
      `-- eventlake: the Snowflake warehouse for the lake at ${url} (${format}).`,
      '-- Generated by snowflakeDdl(); apply it with applySnowflake(), one statement at a time, in order.',
      '-- Objects that hold data or wiring (integration, database, schema, file format, stage, tables)',
      '-- are created IF NOT EXISTS: applying this twice changes nothing and loses nothing. To change',
      '-- the lake URL or format, drop those objects first. The view, the procedure and the task are',
      '-- replaced on every apply.',
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

  out.push(
    statement(
      [
        'The star schema. Surrogate keys are hashed natural keys (MD5_NUMBER_LOWER64, 64 bits), not',
        'IDENTITY: the hourly load computes a fact\'s keys from the row itself, without looking the',
        'dimension up first, a reload of an hour gives the same keys, and rebuilding a table elsewhere',
        'gives the same keys again. MD5 is standard, so any tool can compute them. Snowflake does not',
        'enforce PRIMARY KEY; it is declared for BI tools. Organizations seen in any event.',
      ].join('\n'),
      `CREATE TABLE IF NOT EXISTS ${n('dim_organization')} (
  "ORGANIZATION_KEY" NUMBER(20, 0) NOT NULL PRIMARY KEY,
  "ORGANIZATION_ID"  VARCHAR NOT NULL
)`,
    ),
  );
  out.push(
    statement(
      'One row per vehicle, with the organization of its latest event.',
      `CREATE TABLE IF NOT EXISTS ${n('dim_vehicle')} (
  "VEHICLE_KEY"      NUMBER(20, 0) NOT NULL PRIMARY KEY,
  "VEHICLE_ID"       VARCHAR NOT NULL,
  "ORGANIZATION_KEY" NUMBER(20, 0) NOT NULL,
  "FIRST_EVENT_AT"   TIMESTAMP_NTZ NOT NULL,
  "LAST_EVENT_AT"    TIMESTAMP_NTZ NOT NULL
)`,
    ),
  );
  out.push(
    statement(
      'One row per operating period, as its latest event (by event time) leaves it.',
      `CREATE TABLE IF NOT EXISTS ${n('dim_operating_period')} (
  "PERIOD_KEY"       NUMBER(20, 0) NOT NULL PRIMARY KEY,
  "PERIOD_ID"        VARCHAR NOT NULL,
  "ORGANIZATION_KEY" NUMBER(20, 0) NOT NULL,
  "START_AT"         TIMESTAMP_NTZ,
  "FINISH_AT"        TIMESTAMP_NTZ,
  "LATEST_EVENT"     VARCHAR NOT NULL,
  "LATEST_EVENT_AT"  TIMESTAMP_NTZ NOT NULL
)`,
    ),
  );
  out.push(
    statement(
      'Calendar days (UTC) on which vehicles reported an event or a location; the key is YYYYMMDD.',
      `CREATE TABLE IF NOT EXISTS ${n('dim_date')} (
  "DATE_KEY"     NUMBER(8, 0) NOT NULL PRIMARY KEY,
  "DATE"         DATE NOT NULL,
  "YEAR"         NUMBER(4, 0) NOT NULL,
  "MONTH"        NUMBER(2, 0) NOT NULL,
  "DAY_OF_MONTH" NUMBER(2, 0) NOT NULL,
  "ISO_WEEKDAY"  NUMBER(1, 0) NOT NULL
)`,
    ),
  );
  out.push(
    statement(
      'Minutes of the day (UTC), 00:00 to 23:59; the key is the minute of the day, 0 to 1439.',
      `CREATE TABLE IF NOT EXISTS ${n('dim_time')} (
  "TIME_KEY" NUMBER(4, 0) NOT NULL PRIMARY KEY,
  "HOUR"     NUMBER(2, 0) NOT NULL,
  "MINUTE"   NUMBER(2, 0) NOT NULL,
  "LABEL"    VARCHAR(5) NOT NULL
)`,
    ),
  );
  out.push(
    statement(
      'Where each vehicle was, once per distinct (vehicle, location time, lat, lng).',
      `CREATE TABLE IF NOT EXISTS ${n('fact_vehicle_location')} (
  "LOCATION_KEY" NUMBER(20, 0) NOT NULL PRIMARY KEY,
  "VEHICLE_KEY"  NUMBER(20, 0) NOT NULL,
  "DATE_KEY"     NUMBER(8, 0) NOT NULL,
  "TIME_KEY"     NUMBER(4, 0) NOT NULL,
  "LOCATION_AT"  TIMESTAMP_NTZ NOT NULL,
  "LAT"          FLOAT NOT NULL,
  "LNG"          FLOAT NOT NULL
)
CLUSTER BY ("DATE_KEY")`,
    ),
  );
  out.push(
    statement(
      'Distance each vehicle travelled inside each operating period (vehicles with at least one point in it).',
      `CREATE TABLE IF NOT EXISTS ${n('fact_period_vehicle_distance')} (
  "PERIOD_KEY"  NUMBER(20, 0) NOT NULL,
  "VEHICLE_KEY" NUMBER(20, 0) NOT NULL,
  "POINTS"      NUMBER NOT NULL,
  "KM"          FLOAT NOT NULL,
  PRIMARY KEY ("PERIOD_KEY", "VEHICLE_KEY")
)`,
    ),
  );
  out.push(
    statement(
      'The 1,440 minutes, written whole on every apply (INSERT OVERWRITE: no duplicate on a second apply).',
      `INSERT OVERWRITE INTO ${n('dim_time')} ("TIME_KEY", "HOUR", "MINUTE", "LABEL")
SELECT "M", FLOOR("M" / 60), MOD("M", 60), LPAD(FLOOR("M" / 60), 2, '0') || ':' || LPAD(MOD("M", 60), 2, '0')
FROM (SELECT ROW_NUMBER() OVER (ORDER BY SEQ4()) - 1 AS "M" FROM TABLE(GENERATOR(ROWCOUNT => 1440)))`,
    ),
  );

  out.push(
    statement(
      [
        'The question this data exists for: per operating period whose latest event is create, the',
        'vehicles with at least one point in [start, finish], their average, and total distance (km).',
      ].join('\n'),
      `CREATE OR REPLACE VIEW ${n('bi_avg_distance')} AS
SELECT
  "P"."PERIOD_ID",
  "P"."START_AT",
  "P"."FINISH_AT",
  COUNT(*) AS "VEHICLES",
  AVG("D"."KM") AS "AVG_KM",
  SUM("D"."KM") AS "TOTAL_KM"
FROM ${n('fact_period_vehicle_distance')} AS "D"
JOIN ${n('dim_operating_period')} AS "P" ON "P"."PERIOD_KEY" = "D"."PERIOD_KEY"
WHERE "P"."LATEST_EVENT" = 'create'
GROUP BY "P"."PERIOD_ID", "P"."START_AT", "P"."FINISH_AT"`,
    ),
  );

  const vehicleColumns = ['date', 'hour', ...lakeColumns(vehicle, format).map((c) => c.name)].map(q).join(', ');
  const periodColumns = ['date', 'hour', ...lakeColumns(operatingPeriod, format).map((c) => c.name)].map(q).join(', ');
  const tableOf = (entity: Entity): string => (entity === vehicle ? n('vehicle') : n('operating_period'));
  const filesOf = (lake: string, entity: string): string => `    SELECT '${entity}' AS "ENTITY", ${partitionDate('"FILE_NAME"')} AS "DATE", ${partitionHour('"FILE_NAME"')} AS "HOUR",
      HASH_AGG("FILE_NAME", "FILE_SIZE", "LAST_MODIFIED") AS "FINGERPRINT", COUNT(*) AS "FILES"
    FROM TABLE(${names.database}.INFORMATION_SCHEMA.EXTERNAL_TABLE_FILES(TABLE_NAME => '${lake}'))
    GROUP BY 1, 2, 3`;
  const newVehicleRows = `${n('vehicle')} AS "V" ${inLoadedHours('"V"', 'vehicle')}`;
  const newPeriodRows = `${n('operating_period')} AS "O" ${inLoadedHours('"O"', 'operating_period')}`;

  const body = `DECLARE
  loaded_hours INTEGER DEFAULT 0;
BEGIN
  -- Hours whose files differ from those last loaded: new hours, reruns, late files.
  CREATE OR REPLACE TEMPORARY TABLE ${hoursToLoad} AS
  SELECT "F"."ENTITY", "F"."DATE", "F"."HOUR", "F"."FINGERPRINT", "F"."FILES"
  FROM (
${filesOf(entities[0]!.lake, 'vehicle')}
    UNION ALL
${filesOf(entities[1]!.lake, 'operating_period')}
  ) AS "F"
  LEFT JOIN ${loads} AS "L" ON "L"."ENTITY" = "F"."ENTITY" AND "L"."DATE" = "F"."DATE" AND "L"."HOUR" = "F"."HOUR"
  WHERE "L"."FINGERPRINT" IS DISTINCT FROM "F"."FINGERPRINT";
  SELECT COUNT(*) INTO :loaded_hours FROM ${hoursToLoad};
  IF (loaded_hours = 0) THEN
    RETURN 'no new hour';
  END IF;
  -- DDL commits a transaction in Snowflake, so the work table is created before it begins.
  CREATE OR REPLACE TEMPORARY TABLE ${periodsToRefresh} ("PERIOD_KEY" NUMBER(20, 0));

  BEGIN TRANSACTION;
  -- Each changed hour is replaced whole: delete it, insert it again from the lake.
${entities
  .map(
    ({ entity, lake }) => `  DELETE FROM ${tableOf(entity)} AS "T" USING ${hoursToLoad} AS "H"
    WHERE "H"."ENTITY" = '${entity.name}' AND "T"."DATE" = "H"."DATE" AND "T"."HOUR" = "H"."HOUR";
  INSERT INTO ${tableOf(entity)} (${entity === vehicle ? vehicleColumns : periodColumns})
    SELECT ${(entity === vehicle ? vehicleColumns : periodColumns)
      .split(', ')
      .map((c) => `"E".${c}`)
      .join(', ')}
    FROM ${lake} AS "E" ${inLoadedHours('"E"', entity.name)};`,
  )
  .join('\n')}
  MERGE INTO ${loads} AS "L" USING ${hoursToLoad} AS "H"
    ON "L"."ENTITY" = "H"."ENTITY" AND "L"."DATE" = "H"."DATE" AND "L"."HOUR" = "H"."HOUR"
    WHEN MATCHED THEN UPDATE SET "FINGERPRINT" = "H"."FINGERPRINT", "FILES" = "H"."FILES", "LOADED_AT" = CURRENT_TIMESTAMP()
    WHEN NOT MATCHED THEN INSERT ("ENTITY", "DATE", "HOUR", "FINGERPRINT", "FILES", "LOADED_AT")
      VALUES ("H"."ENTITY", "H"."DATE", "H"."HOUR", "H"."FINGERPRINT", "H"."FILES", CURRENT_TIMESTAMP());

  -- The star schema: a MERGE per dimension for the keys the loaded hours touch.
  MERGE INTO ${n('dim_organization')} AS "D" USING (
    SELECT DISTINCT "V"."ORGANIZATION_ID" FROM ${newVehicleRows}
    UNION
    SELECT DISTINCT "O"."ORGANIZATION_ID" FROM ${newPeriodRows}
  ) AS "S" ON "D"."ORGANIZATION_KEY" = ${key('"S"."ORGANIZATION_ID"')}
    WHEN NOT MATCHED THEN INSERT ("ORGANIZATION_KEY", "ORGANIZATION_ID") VALUES (${key('"S"."ORGANIZATION_ID"')}, "S"."ORGANIZATION_ID");
  MERGE INTO ${n('dim_vehicle')} AS "D" USING (
    SELECT ${key('"A"."VEHICLE_ID"')} AS "VEHICLE_KEY", "A"."VEHICLE_ID",
      ${key('MAX_BY("A"."ORGANIZATION_ID", "A"."EVENT_AT")')} AS "ORGANIZATION_KEY",
      MIN("A"."EVENT_AT") AS "FIRST_EVENT_AT", MAX("A"."EVENT_AT") AS "LAST_EVENT_AT"
    FROM ${n('vehicle')} AS "A"
    WHERE "A"."VEHICLE_ID" IN (SELECT "V"."VEHICLE_ID" FROM ${newVehicleRows})
    GROUP BY "A"."VEHICLE_ID"
  ) AS "S" ON "D"."VEHICLE_KEY" = "S"."VEHICLE_KEY"
    WHEN MATCHED THEN UPDATE SET "ORGANIZATION_KEY" = "S"."ORGANIZATION_KEY", "FIRST_EVENT_AT" = "S"."FIRST_EVENT_AT", "LAST_EVENT_AT" = "S"."LAST_EVENT_AT"
    WHEN NOT MATCHED THEN INSERT ("VEHICLE_KEY", "VEHICLE_ID", "ORGANIZATION_KEY", "FIRST_EVENT_AT", "LAST_EVENT_AT")
      VALUES ("S"."VEHICLE_KEY", "S"."VEHICLE_ID", "S"."ORGANIZATION_KEY", "S"."FIRST_EVENT_AT", "S"."LAST_EVENT_AT");
  MERGE INTO ${n('dim_operating_period')} AS "D" USING (
    SELECT ${key('"A"."PERIOD_ID"')} AS "PERIOD_KEY", "A"."PERIOD_ID", ${key('"A"."ORGANIZATION_ID"')} AS "ORGANIZATION_KEY",
      "A"."START_AT", "A"."FINISH_AT", "A"."EVENT" AS "LATEST_EVENT", "A"."EVENT_AT" AS "LATEST_EVENT_AT"
    FROM ${n('operating_period')} AS "A"
    WHERE "A"."PERIOD_ID" IN (SELECT "O"."PERIOD_ID" FROM ${newPeriodRows})
    QUALIFY ROW_NUMBER() OVER (PARTITION BY "A"."PERIOD_ID" ORDER BY "A"."EVENT_AT" DESC, "A"."SOURCE_OBJECT" DESC, "A"."SOURCE_LINE" DESC) = 1
  ) AS "S" ON "D"."PERIOD_KEY" = "S"."PERIOD_KEY"
    WHEN MATCHED THEN UPDATE SET "ORGANIZATION_KEY" = "S"."ORGANIZATION_KEY", "START_AT" = "S"."START_AT", "FINISH_AT" = "S"."FINISH_AT",
      "LATEST_EVENT" = "S"."LATEST_EVENT", "LATEST_EVENT_AT" = "S"."LATEST_EVENT_AT"
    WHEN NOT MATCHED THEN INSERT ("PERIOD_KEY", "PERIOD_ID", "ORGANIZATION_KEY", "START_AT", "FINISH_AT", "LATEST_EVENT", "LATEST_EVENT_AT")
      VALUES ("S"."PERIOD_KEY", "S"."PERIOD_ID", "S"."ORGANIZATION_KEY", "S"."START_AT", "S"."FINISH_AT", "S"."LATEST_EVENT", "S"."LATEST_EVENT_AT");
  MERGE INTO ${n('dim_date')} AS "D" USING (
    SELECT DISTINCT TO_DATE("V"."EVENT_AT") AS "DAY" FROM ${newVehicleRows}
    UNION
    SELECT DISTINCT TO_DATE("V"."LOCATION_AT") FROM ${newVehicleRows} WHERE "V"."LOCATION_AT" IS NOT NULL
  ) AS "S" ON "D"."DATE" = "S"."DAY"
    WHEN NOT MATCHED THEN INSERT ("DATE_KEY", "DATE", "YEAR", "MONTH", "DAY_OF_MONTH", "ISO_WEEKDAY")
      VALUES (TO_NUMBER(TO_CHAR("S"."DAY", 'YYYYMMDD')), "S"."DAY", YEAR("S"."DAY"), MONTH("S"."DAY"), DAYOFMONTH("S"."DAY"), DAYOFWEEKISO("S"."DAY"));

  -- Facts: new points, then the distances of every period a new point or period event touches.
  MERGE INTO ${n('fact_vehicle_location')} AS "F" USING (
    SELECT DISTINCT ${pointKey} AS "LOCATION_KEY", ${key('"VEHICLE_ID"')} AS "VEHICLE_KEY",
      TO_NUMBER(TO_CHAR("LOCATION_AT", 'YYYYMMDD')) AS "DATE_KEY", HOUR("LOCATION_AT") * 60 + MINUTE("LOCATION_AT") AS "TIME_KEY",
      "LOCATION_AT", "LAT", "LNG"
    FROM (SELECT "V"."VEHICLE_ID", "V"."LOCATION_AT", "V"."LAT", "V"."LNG" FROM ${newVehicleRows}
      WHERE "V"."LAT" IS NOT NULL AND "V"."LNG" IS NOT NULL AND "V"."LOCATION_AT" IS NOT NULL)
  ) AS "S" ON "F"."LOCATION_KEY" = "S"."LOCATION_KEY"
    WHEN NOT MATCHED THEN INSERT ("LOCATION_KEY", "VEHICLE_KEY", "DATE_KEY", "TIME_KEY", "LOCATION_AT", "LAT", "LNG")
      VALUES ("S"."LOCATION_KEY", "S"."VEHICLE_KEY", "S"."DATE_KEY", "S"."TIME_KEY", "S"."LOCATION_AT", "S"."LAT", "S"."LNG");
  INSERT INTO ${periodsToRefresh} ("PERIOD_KEY")
    SELECT "P"."PERIOD_KEY" FROM ${n('dim_operating_period')} AS "P"
    WHERE "P"."PERIOD_ID" IN (SELECT "O"."PERIOD_ID" FROM ${newPeriodRows})
    UNION
    SELECT "P"."PERIOD_KEY" FROM ${n('dim_operating_period')} AS "P"
    JOIN (SELECT DISTINCT "V"."LOCATION_AT" FROM ${newVehicleRows}
      WHERE "V"."LAT" IS NOT NULL AND "V"."LNG" IS NOT NULL AND "V"."LOCATION_AT" IS NOT NULL) AS "N"
      ON "N"."LOCATION_AT" BETWEEN "P"."START_AT" AND "P"."FINISH_AT";
  DELETE FROM ${n('fact_period_vehicle_distance')}
    WHERE "PERIOD_KEY" IN (SELECT "PERIOD_KEY" FROM ${periodsToRefresh});
  INSERT INTO ${n('fact_period_vehicle_distance')} ("PERIOD_KEY", "VEHICLE_KEY", "POINTS", "KM")
    SELECT "PERIOD_KEY", "VEHICLE_KEY", COUNT(*),
      COALESCE(SUM(${HAVERSINE_KM('"LAT"', '"LNG"', '"PREVIOUS_LAT"', '"PREVIOUS_LNG"')}), 0)
    FROM (
      SELECT "P"."PERIOD_KEY", "F"."VEHICLE_KEY", "F"."LAT", "F"."LNG",
        LAG("F"."LAT") OVER (PARTITION BY "P"."PERIOD_KEY", "F"."VEHICLE_KEY" ORDER BY "F"."LOCATION_AT", "F"."LAT", "F"."LNG") AS "PREVIOUS_LAT",
        LAG("F"."LNG") OVER (PARTITION BY "P"."PERIOD_KEY", "F"."VEHICLE_KEY" ORDER BY "F"."LOCATION_AT", "F"."LAT", "F"."LNG") AS "PREVIOUS_LNG"
      FROM ${n('dim_operating_period')} AS "P"
      JOIN ${periodsToRefresh} AS "R" ON "R"."PERIOD_KEY" = "P"."PERIOD_KEY"
      JOIN ${n('fact_vehicle_location')} AS "F" ON "F"."LOCATION_AT" BETWEEN "P"."START_AT" AND "P"."FINISH_AT"
    )
    GROUP BY "PERIOD_KEY", "VEHICLE_KEY";
  COMMIT;
  RETURN 'loaded ' || loaded_hours || ' entity hours';
EXCEPTION
  WHEN OTHER THEN
    ROLLBACK;
    RAISE;
END;`;

  out.push(
    statement(
      [
        'The hourly load, callable by hand too (CALL it to load now). Idempotent: an hour is loaded',
        'when its files differ from those it was last loaded from, and is then deleted and inserted',
        'whole; dimensions and facts are MERGEd, distances recomputed per touched period. All in one',
        'transaction, so a failed load leaves the tables as they were and the next run retries it.',
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
        'of an hour does not double it) and MERGE into the star schema and recompute distances, which a',
        'pipe cannot do. The task runs after the hour is due in the lake and retries at the next run.',
      ].join('\n'),
      `CREATE OR REPLACE TASK ${n(LOAD_TASK)}
  WAREHOUSE = ${names.warehouse}
  SCHEDULE = '${LOAD_SCHEDULE}'
  TIMEZONE = 'UTC'
  ALLOW_OVERLAPPING_EXECUTION = FALSE
  COMMENT = 'eventlake: load the lake hours that changed, then refresh the star schema'
AS
  CALL ${n(LOAD_PROCEDURE)}()`,
    ),
  );
  out.push(statement('A task is created suspended.', `ALTER TASK ${n(LOAD_TASK)} RESUME`));
  return `${out.join('\n\n')}\n`;
}
