/**
 * The hourly load procedure as the DDL's apply sends it to a mocked connection (no Snowflake
 * here: these check the procedure's text, statement by statement, not its effect). The model set
 * is a stub written against the compiled-model contract, with every shape the procedure handles.
 */
import { describe, expect, it } from 'vitest';
import { applySnowflake, splitSqlStatements } from '../../src/warehouse/snowflake/snowflake-apply.js';
import { snowflakeDdl, type ModelCompiler } from '../../src/warehouse/snowflake/snowflake-ddl.js';
import type { SqlConnection } from '../../src/warehouse/warehouse-target.js';
import { snowflakeDialect } from '../../src/warehouse/snowflake/snowflake-dialect.js';
import { projectModels } from '../../src/warehouse/snowflake/snowflake-models.js';
import { stubModels } from './snowflake-stub-models.js';

class RecordingConnection implements SqlConnection {
  readonly sent: string[] = [];
  async execute(sql: string): Promise<Record<string, unknown>[]> {
    this.sent.push(sql);
    return sql.startsWith('SELECT metadata$filename') ? [{ METADATA$FILENAME: 'vehicle/date=2019-06-01/hour=15/part-00000.parquet' }] : [{ status: 'ok' }];
  }
  async close(): Promise<void> {}
}

const S = '"ANALYTICS"."EVENTLAKE"';
const HOURS = `${S}."LAKE_HOURS_TO_LOAD"`;
const flat = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

/** The load procedure's statements (IF … END IF blocks split at their ;), as applied. */
async function procedureStatements(compile: ModelCompiler = stubModels): Promise<string[]> {
  const ddl = snowflakeDdl(
    {
      lakeUrl: 's3://eventlake-lake/prod/',
      format: 'parquet',
      database: 'analytics',
      schema: 'eventlake',
      integration: 'eventlake_s3',
      awsRoleArn: 'arn:aws:iam::123456789012:role/eventlake-snowflake',
      warehouse: 'transform_wh',
    },
    compile,
  );
  const connection = new RecordingConnection();
  await applySnowflake(connection, ddl);
  const procedure = connection.sent.find((s) => s.startsWith(`CREATE OR REPLACE PROCEDURE ${S}."LOAD_LAKE_HOURS"()`));
  expect(procedure).toBeDefined();
  const body = /\$\$\n([\s\S]*)\n\$\$$/.exec(procedure!)![1]!;
  return splitSqlStatements(body).map(flat);
}

function lastIndexOf(statements: readonly string[], test: (s: string) => boolean): number {
  for (let i = statements.length - 1; i >= 0; i -= 1) if (test(statements[i]!)) return i;
  return -1;
}

function indexOf(statements: readonly string[], test: (s: string) => boolean, what: string): number {
  const at = statements.findIndex(test);
  expect(at, what).toBeGreaterThanOrEqual(0);
  return at;
}

describe('the hourly load procedure (mocked connection: its text as applied)', () => {
  it('refreshes each external table it reads, whole, before it lists that table\'s files', async () => {
    const statements = await procedureStatements();
    for (const lake of ['LAKE_VEHICLE', 'LAKE_OPERATING_PERIOD']) {
      const refresh = indexOf(statements, (s) => s.endsWith(`ALTER EXTERNAL TABLE ${S}."${lake}" REFRESH`), `refresh ${lake}`);
      const listing = indexOf(statements, (s) => s.includes(`EXTERNAL_TABLE_FILES(TABLE_NAME => '${S}."${lake}"')`), `list ${lake}`);
      expect(refresh).toBeLessThan(listing);
    }
  });

  it('a deleted hour: the hours to load include loaded hours whose files are gone, and their rows are deleted from each internal table, the loads and every model', async () => {
    const statements = await procedureStatements();
    const hours = statements.find((s) => s.includes(`CREATE OR REPLACE TEMPORARY TABLE ${HOURS} AS`))!;
    // Hours loaded before and now without files have no fingerprint: FULL OUTER JOIN, kept as distinct.
    expect(hours).toContain(`FULL OUTER JOIN ${S}."LAKE_LOADS" AS "L"`);
    expect(hours).toContain('WHERE "L"."FINGERPRINT" IS DISTINCT FROM "F"."FINGERPRINT"');
    for (const [entity, table] of [['vehicle', 'VEHICLE'], ['operating_period', 'OPERATING_PERIOD']] as const) {
      const oldRows = indexOf(statements, (s) => s.startsWith(`INSERT INTO ${S}."_CHANGES_${table}" SELECT "T".* FROM ${S}."${table}" AS "T" JOIN ${HOURS}`), `old ${table} rows`);
      const del = indexOf(
        statements,
        (s) => s === `DELETE FROM ${S}."${table}" AS "T" USING ${HOURS} AS "H" WHERE "H"."ENTITY" = '${entity}' AND "T"."DATE" = "H"."DATE" AND "T"."HOUR" = "H"."HOUR"`,
        `delete ${table}`,
      );
      expect(oldRows).toBeLessThan(del);
    }
    expect(statements).toContain(
      `DELETE FROM ${S}."LAKE_LOADS" AS "L" USING ${HOURS} AS "H" WHERE "H"."FINGERPRINT" IS NULL AND "L"."ENTITY" = "H"."ENTITY" AND "L"."DATE" = "H"."DATE" AND "L"."HOUR" = "H"."HOUR"`,
    );
    // Every incremental model deletes its rows of the keys its upstream changes (old rows included) name.
    for (const model of ['DIM_OPERATING_PERIOD', 'FACT_VEHICLE_LOCATION', 'FACT_PERIOD_VEHICLE_DISTANCE']) {
      indexOf(statements, (s) => s.startsWith(`DELETE FROM ${S}."${model}" AS "T" USING ${S}."_KEYS_${model}" AS "K"`), `delete ${model}`);
    }
    expect(statements.find((s) => s.startsWith(`INSERT INTO ${S}."_KEYS_FACT_VEHICLE_LOCATION"`))).toContain(`FROM ${S}."_CHANGES_VEHICLE"`);
  });

  it('a rerun hour replaces: old rows to the changes, DELETE, INSERT from the lake, new rows to the changes; each model then replaces its rows of the changed keys (no MERGE that only inserts)', async () => {
    const statements = await procedureStatements();
    const begin = statements.indexOf('BEGIN TRANSACTION');
    const commit = statements.indexOf('COMMIT');
    expect(begin).toBeGreaterThan(0);
    expect(commit).toBeGreaterThan(begin);
    const inVehicle = (prefix: string): number => indexOf(statements, (s) => s.startsWith(prefix), prefix);
    const order = [
      inVehicle(`INSERT INTO ${S}."_CHANGES_VEHICLE" SELECT "T".* FROM ${S}."VEHICLE"`),
      inVehicle(`DELETE FROM ${S}."VEHICLE" AS "T" USING ${HOURS}`),
      inVehicle(`INSERT INTO ${S}."VEHICLE" ("DATE", "HOUR", "EVENT"`),
      lastIndexOf(statements, (s) => s.startsWith(`INSERT INTO ${S}."_CHANGES_VEHICLE" SELECT "T".* FROM ${S}."VEHICLE"`)),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(4);
    expect(order[0]).toBeGreaterThan(begin);
    expect(order[3]).toBeLessThan(commit);
    expect(statements[order[2]!]).toContain(`FROM ${S}."LAKE_VEHICLE" AS "E" JOIN ${HOURS} AS "H" ON "H"."ENTITY" = 'vehicle'`);
    // An incremental model: keys, old rows to its changes, DELETE, INSERT, new rows to its changes.
    const model = `${S}."FACT_VEHICLE_LOCATION"`;
    const steps = [
      inVehicle(`INSERT INTO ${S}."_KEYS_FACT_VEHICLE_LOCATION"`),
      inVehicle(`INSERT INTO ${S}."_CHANGES_FACT_VEHICLE_LOCATION" SELECT "T".* FROM ${model}`),
      inVehicle(`DELETE FROM ${model} AS "T" USING`),
      inVehicle(`INSERT INTO ${model} SELECT * FROM (`),
      lastIndexOf(statements, (s) => s.startsWith(`INSERT INTO ${S}."_CHANGES_FACT_VEHICLE_LOCATION" SELECT "T".* FROM ${model}`)),
    ];
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(5);
    expect(statements.some((s) => s.startsWith(`MERGE INTO ${model}`))).toBe(false);
  });

  it('creates the work tables before the transaction (DDL would commit it) and rolls back on any failure', async () => {
    const statements = await procedureStatements();
    const begin = statements.indexOf('BEGIN TRANSACTION');
    const ddlInside = statements.slice(begin).filter((s) => /^(CREATE|ALTER|DROP) /.test(s.replace(/^IF \([^)]*\) THEN /, '')));
    expect(ddlInside).toEqual([]);
    expect(statements.join('\n')).toMatch(/EXCEPTION WHEN OTHER THEN ROLLBACK\s*\n?RAISE/);
  });

  it("with the project's models: refresh before listing, each changed hour replaced, and every model replaces (never merges into) its rows", async () => {
    const statements = await procedureStatements(projectModels);
    for (const lake of ['LAKE_VEHICLE', 'LAKE_OPERATING_PERIOD']) {
      expect(indexOf(statements, (s) => s.endsWith(`ALTER EXTERNAL TABLE ${S}."${lake}" REFRESH`), lake)).toBeLessThan(
        indexOf(statements, (s) => s.includes(`EXTERNAL_TABLE_FILES(TABLE_NAME => '${S}."${lake}"')`), lake),
      );
    }
    for (const table of ['VEHICLE', 'OPERATING_PERIOD']) indexOf(statements, (s) => s.startsWith(`DELETE FROM ${S}."${table}" AS "T" USING ${HOURS}`), table);
    const models = projectModels(snowflakeDialect(S));
    expect(models.some((m) => m.materialized === 'incremental')).toBe(true);
    for (const model of models) {
      const table = `${S}."${model.name.toUpperCase()}"`;
      expect(statements.some((s) => s.startsWith(`MERGE INTO ${table}`)), model.name).toBe(false);
      if (model.materialized === 'incremental') {
        const del = indexOf(statements, (s) => s.startsWith(`DELETE FROM ${table} AS "T" USING ${S}."_KEYS_${model.name.toUpperCase()}" AS "K"`), model.name);
        expect(statements[del + 1], model.name).toMatch(new RegExp(`^INSERT INTO ${table.replace(/[."]/g, (c) => `\\${c}`)} SELECT \\* FROM \\(`));
      } else if (model.dependsOn.length > 0) {
        indexOf(statements, (s) => s === `DELETE FROM ${table}`, model.name);
      }
    }
  });

  it('returns early when no hour changed and no model changed, after refreshing and listing', async () => {
    const statements = await procedureStatements();
    const early = indexOf(statements, (s) => s.includes("IF (changed_hours = 0 AND models_to_build = 0) THEN RETURN 'nothing changed'"), 'early return');
    expect(early).toBeGreaterThan(statements.findIndex((s) => s.includes('EXTERNAL_TABLE_FILES')));
    expect(early).toBeLessThan(statements.indexOf('BEGIN TRANSACTION'));
  });
});
