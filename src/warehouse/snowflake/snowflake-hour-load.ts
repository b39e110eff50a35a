/**
 * The body of the load procedure (Snowflake Scripting) that the hourly task calls. It stays right
 * without help from outside:
 *
 * 1. It refreshes the external tables it reads (`ALTER EXTERNAL TABLE … REFRESH`), so their file
 *    lists are the lake's as it is now, whether or not S3 event notifications arrived.
 * 2. It compares each hour's files (name, size, last modified) with those the hour was last loaded
 *    from: an hour whose files changed (new, rerun, late files) is loaded again, an hour whose
 *    files are gone is removed.
 * 3. In one transaction: each such hour is replaced whole in the internal tables, the old rows
 *    going to the table's changes table before the DELETE and the new rows after the INSERT;
 *    then every model runs the incremental protocol on those changes (snowflake-star-schema.ts),
 *    so an hour's derived rows leave every model with it and a rerun leaves only its new rows.
 * A failure rolls the transaction back; the next run finds the same hours changed and retries.
 */
import type { CompiledModel } from '../compiled-model.js';
import type { ModelDialect } from '../model-dialect.js';
import { KEY_TIMESTAMP_FORMAT } from './snowflake-dialect.js';
import { partitionDate, partitionHour } from './snowflake-lake-paths.js';
import { fullBuildDecision, modelDeclarations, modelStepInTransaction, modelStepsBeforeTransaction } from './snowflake-star-schema.js';

/** A loaded table: the lake's external table it is loaded from and its columns (quoted, in order). */
export interface LoadedTable {
  readonly name: string;
  /** The external table over the entity's lake folder. */
  readonly lake: string;
  /** The internal table. */
  readonly table: string;
  readonly columns: readonly string[];
}

export interface HourLoad {
  /** `"DB"` for its INFORMATION_SCHEMA. */
  readonly database: string;
  /** `"DB"."SCHEMA"`. */
  readonly schema: string;
  readonly tables: readonly LoadedTable[];
  /** Which files each hour was last loaded from. */
  readonly loads: string;
  /** Temporary: the hours this load replaces or removes. */
  readonly hours: string;
  /** In build order. */
  readonly models: readonly CompiledModel[];
  readonly dialect: ModelDialect;
}

const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `${by}${line}`))
    .join('\n');

function filesOf(database: string, table: LoadedTable): string {
  return `SELECT '${table.name}' AS "ENTITY", ${partitionDate('"FILE_NAME"')} AS "DATE", ${partitionHour('"FILE_NAME"')} AS "HOUR",
  HASH_AGG("FILE_NAME", "FILE_SIZE", "LAST_MODIFIED") AS "FINGERPRINT", COUNT(*) AS "FILES"
FROM TABLE(${database}.INFORMATION_SCHEMA.EXTERNAL_TABLE_FILES(TABLE_NAME => '${table.lake}'))
GROUP BY 1, 2, 3`;
}

/** The statements that replace the changed hours of one loaded table and record its changes. */
export function replaceHoursSql(load: HourLoad, table: LoadedTable): string {
  const changes = load.dialect.changesTable(table.name);
  const ofHours = (alias: string): string =>
    `JOIN ${load.hours} AS "H" ON "H"."ENTITY" = '${table.name}' AND ${alias}."DATE" = "H"."DATE" AND ${alias}."HOUR" = "H"."HOUR"`;
  const columns = table.columns.join(', ');
  return `-- ${table.name}: each changed hour replaced whole (an hour whose files are gone: deleted).
INSERT INTO ${changes} SELECT "T".* FROM ${table.table} AS "T" ${ofHours('"T"')};
DELETE FROM ${table.table} AS "T" USING ${load.hours} AS "H"
  WHERE "H"."ENTITY" = '${table.name}' AND "T"."DATE" = "H"."DATE" AND "T"."HOUR" = "H"."HOUR";
INSERT INTO ${table.table} (${columns})
  SELECT ${table.columns.map((c) => `"E".${c}`).join(', ')}
  FROM ${table.lake} AS "E" ${ofHours('"E"')};
INSERT INTO ${changes} SELECT "T".* FROM ${table.table} AS "T" ${ofHours('"T"')};`;
}

/** The body, which the DDL puts between $$ and $$: SQL holding $$ would end it early. */
export function hourLoadBody(load: HourLoad): string {
  const body = procedureBody(load);
  if (body.includes('$$')) throw new Error('A model or loaded table holds $$ in its SQL, which would end the load procedure\'s body: write it otherwise.');
  return body;
}

function procedureBody(load: HourLoad): string {
  const sources = load.tables.map((t) => t.name);
  const files = load.tables.map((t) => indent(filesOf(load.database, t), '    ')).join('\n    UNION ALL\n');
  return `DECLARE
  changed_hours INTEGER DEFAULT 0;
  removed_hours INTEGER DEFAULT 0;
${load.models.length > 0 ? indent(modelDeclarations(load.models).join('\n'), '  ') : ''}
BEGIN
  -- Key parts are text; a timestamp's text follows this parameter, so it is fixed here.
  ALTER SESSION SET TIMESTAMP_NTZ_OUTPUT_FORMAT = '${KEY_TIMESTAMP_FORMAT}';
  -- The lake as it is now: each external table re-lists its files (new, replaced and removed
  -- files), so the load never depends on S3 event notifications having arrived.
${load.tables.map((t) => `  ALTER EXTERNAL TABLE ${t.lake} REFRESH;`).join('\n')}
  -- Hours whose files differ from those last loaded (new hours, reruns, late files), and hours
  -- loaded before whose files are gone from the lake (FINGERPRINT is NULL).
  CREATE OR REPLACE TEMPORARY TABLE ${load.hours} AS
  SELECT COALESCE("F"."ENTITY", "L"."ENTITY") AS "ENTITY", COALESCE("F"."DATE", "L"."DATE") AS "DATE",
    COALESCE("F"."HOUR", "L"."HOUR") AS "HOUR", "F"."FINGERPRINT", "F"."FILES"
  FROM (
${files}
  ) AS "F"
  FULL OUTER JOIN ${load.loads} AS "L" ON "L"."ENTITY" = "F"."ENTITY" AND "L"."DATE" = "F"."DATE" AND "L"."HOUR" = "F"."HOUR"
  WHERE "L"."FINGERPRINT" IS DISTINCT FROM "F"."FINGERPRINT";
  SELECT COUNT(*), COUNT_IF("FINGERPRINT" IS NULL) INTO :changed_hours, :removed_hours FROM ${load.hours};
${indent(fullBuildDecision(load.schema, load.models), '  ')}
  IF (changed_hours = 0 AND models_to_build = 0) THEN
    RETURN 'nothing changed';
  END IF;
  -- DDL commits a transaction in Snowflake, so whole builds and work tables come before it begins.
${indent(modelStepsBeforeTransaction(load.schema, load.models, load.dialect, sources), '  ')}

  BEGIN TRANSACTION;
${load.tables.map((t) => indent(replaceHoursSql(load, t), '  ')).join('\n')}
  DELETE FROM ${load.loads} AS "L" USING ${load.hours} AS "H"
    WHERE "H"."FINGERPRINT" IS NULL AND "L"."ENTITY" = "H"."ENTITY" AND "L"."DATE" = "H"."DATE" AND "L"."HOUR" = "H"."HOUR";
  MERGE INTO ${load.loads} AS "L" USING (SELECT * FROM ${load.hours} WHERE "FINGERPRINT" IS NOT NULL) AS "H"
    ON "L"."ENTITY" = "H"."ENTITY" AND "L"."DATE" = "H"."DATE" AND "L"."HOUR" = "H"."HOUR"
    WHEN MATCHED THEN UPDATE SET "FINGERPRINT" = "H"."FINGERPRINT", "FILES" = "H"."FILES", "LOADED_AT" = CURRENT_TIMESTAMP()
    WHEN NOT MATCHED THEN INSERT ("ENTITY", "DATE", "HOUR", "FINGERPRINT", "FILES", "LOADED_AT")
      VALUES ("H"."ENTITY", "H"."DATE", "H"."HOUR", "H"."FINGERPRINT", "H"."FILES", CURRENT_TIMESTAMP());

  -- The models, in build order: each reads the changes of the tables it reads.
${load.models.map((m) => indent(modelStepInTransaction(m, load.dialect), '  ')).join('\n')}
  COMMIT;
  RETURN 'loaded ' || (changed_hours - removed_hours) || ' entity hours, removed ' || removed_hours || ', built ' || models_to_build || ' models whole';
EXCEPTION
  WHEN OTHER THEN
    ROLLBACK;
    RAISE;
END;`;
}
