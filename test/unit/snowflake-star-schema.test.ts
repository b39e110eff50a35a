/**
 * The star schema and the load's model steps are generated from the compiled model set: every
 * model of the set gets a table, a whole-build step and a step in the transaction, in build
 * order, so a new model cannot be left out of the Snowflake load.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledModel } from '../../src/warehouse/compiled-model.js';
import { snowflakeDialect } from '../../src/warehouse/snowflake/snowflake-dialect.js';
import { hourLoadBody } from '../../src/warehouse/snowflake/snowflake-hour-load.js';
import { checkedRunOrder } from '../../src/warehouse/snowflake/snowflake-model-order.js';
import { projectModels } from '../../src/warehouse/snowflake/snowflake-models.js';
import { starSchemaTables } from '../../src/warehouse/snowflake/snowflake-star-schema.js';
import { stubModels } from './snowflake-stub-models.js';

const SCHEMA = '"ANALYTICS"."EVENTLAKE"';
const dialect = snowflakeDialect(SCHEMA);
const SOURCES = ['vehicle', 'operating_period'];

function body(models: readonly CompiledModel[]): string {
  return hourLoadBody({
    database: '"ANALYTICS"',
    schema: SCHEMA,
    tables: SOURCES.map((name) => ({ name, lake: `${SCHEMA}."LAKE_${name.toUpperCase()}"`, table: dialect.table(name), columns: ['"DATE"', '"HOUR"'] })),
    loads: `${SCHEMA}."LAKE_LOADS"`,
    hours: `${SCHEMA}."LAKE_HOURS_TO_LOAD"`,
    models,
    dialect,
  });
}

/** Where each model's step is, in the part of the body from `from` to `to`. */
function stepPositions(text: string, from: string, to: string): Map<string, number> {
  const start = text.indexOf(from);
  const end = text.indexOf(to, start);
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  const part = text.slice(start, end);
  const positions = new Map<string, number>();
  for (const match of part.matchAll(/^ *-- model ([a-z_0-9]+):/gm)) {
    expect(positions.has(match[1]!), `${match[1]} has one step after ${from}`).toBe(false);
    positions.set(match[1]!, match.index);
  }
  return positions;
}

function expectStepsCoverInBuildOrder(models: readonly CompiledModel[]): void {
  const text = body(checkedRunOrder(models, SOURCES));
  const names = models.map((m) => m.name).sort();
  for (const [from, to] of [
    ['-- DDL commits a transaction', 'BEGIN TRANSACTION;'],
    ['BEGIN TRANSACTION;', '\n  COMMIT;'],
  ] as const) {
    const positions = stepPositions(text, from, to);
    expect([...positions.keys()].sort(), `every model has a step after ${from}`).toEqual(names);
    for (const model of models) {
      for (const dep of model.dependsOn.filter((d) => positions.has(d))) {
        expect(positions.get(dep)!, `${dep} before ${model.name} (${from})`).toBeLessThan(positions.get(model.name)!);
      }
    }
  }
  // Each model's hash is compared with the recorded one, and it has a table.
  for (const model of models) expect(text).toContain(`('${model.name}', '${model.hash}')`);
  const tables = starSchemaTables(SCHEMA, models, dialect).map((s) => s.sql);
  expect(tables[0]).toMatch(/^CREATE TABLE IF NOT EXISTS "ANALYTICS"."EVENTLAKE"."_MODELS" \(/);
  expect(tables.slice(1).map((sql) => /^CREATE TABLE IF NOT EXISTS ("[^"]+"\."[^"]+"\."[^"]+")/.exec(sql)![1])).toEqual(models.map((m) => dialect.table(m.name)));
}

describe('the Snowflake star schema from the compiled models', () => {
  it('gives every model of the set a table and a step before and in the transaction, each after the models it reads', () => {
    expectStepsCoverInBuildOrder(stubModels(dialect));
  });

  it('does so for the project\'s own models (src/warehouse/models/), so a new model cannot be left out of the load', () => {
    const models = projectModels(dialect);
    expect(models.length).toBeGreaterThan(0);
    expectStepsCoverInBuildOrder(models);
  });

  it("runs a model's data tests on its rows of the changed keys in the transaction; a failing one raises, rolling the load back", () => {
    const text = body(stubModels(dialect));
    expect(text).toContain(
      `test_failed_fact_vehicle_location_1 EXCEPTION (-20001, 'eventlake: model fact_vehicle_location fails its data test not_null(vehicle_key) on the rows this load wrote; the load was rolled back.');`,
    );
    const step = text.slice(text.indexOf('-- model fact_vehicle_location: incremental'), text.indexOf('-- model fact_period_vehicle_distance: incremental'));
    expect(step).toMatch(
      /SELECT COUNT\(\*\) INTO :offending_rows FROM \(\n\s+SELECT \* FROM \(SELECT \* FROM "ANALYTICS"\."EVENTLAKE"\."FACT_VEHICLE_LOCATION" AS m WHERE EXISTS \(SELECT 1 FROM "ANALYTICS"\."EVENTLAKE"\."_KEYS_FACT_VEHICLE_LOCATION" AS k WHERE .*\)\) AS t WHERE vehicle_key IS NULL\n\s+LIMIT 1\n\s+\);\n\s+IF \(offending_rows > 0\) THEN\n\s+RAISE test_failed_fact_vehicle_location_1;\n\s+END IF;/,
    );
    expect(text.indexOf('RAISE test_failed_fact_vehicle_location_1')).toBeLessThan(text.indexOf('\n  COMMIT;'));
  });

  it('numbers each data test exception apart, and refuses SQL holding $$ (it would end the procedure body)', () => {
    const models = stubModels(dialect).map((m) => (m.name === 'dim_time' ? { ...m, tests: [{ kind: 'unique' as const, columns: ['time_key'] }] } : m));
    const numbers = [...body(models).matchAll(/EXCEPTION \((-\d+),/g)].map((m) => m[1]);
    expect(numbers).toEqual(['-20001', '-20002']);
    const dollar = stubModels(dialect).map((m) => (m.name === 'dim_time' ? { ...m, fullSelect: 'SELECT $$x$$ AS time_key' } : m));
    expect(() => body(dollar)).toThrow(/holds \$\$ in its SQL/);
  });

  it('refuses models out of build order, or reading a table that is neither a model nor loaded', () => {
    const models = stubModels(dialect);
    const swapped = [...models].reverse();
    expect(() => checkedRunOrder(swapped, SOURCES)).toThrow(/reads .*, which comes after it: the models must come in build order/);
    const unknown = [{ ...models[0]!, dependsOn: ['nowhere'] }];
    expect(() => checkedRunOrder(unknown, SOURCES)).toThrow(/reads nowhere, which is neither a model nor a loaded table/);
  });

  it('creates a model table empty from its own SELECT, clustered by its unique key when incremental', () => {
    const [, dimPeriod] = starSchemaTables(SCHEMA, stubModels(dialect), dialect).slice(1);
    expect(dimPeriod!.sql).toMatch(/^CREATE TABLE IF NOT EXISTS "ANALYTICS"\."EVENTLAKE"\."DIM_OPERATING_PERIOD" CLUSTER BY \("PERIOD_KEY"\) AS\nSELECT \* FROM \(\n {2}SELECT .* FROM "ANALYTICS"\."EVENTLAKE"\."OPERATING_PERIOD"\n\) WHERE FALSE$/);
  });

  it('rebuilds a model whole (replaced at once, grants kept) when its hash changed, and so every model downstream of it', () => {
    const text = body(stubModels(dialect));
    expect(text).toContain(`LEFT JOIN ${SCHEMA}."_MODELS" AS "R" ON "R"."NAME" = "M"."NAME"\n  WHERE "R"."HASH" IS DISTINCT FROM "M"."HASH";`);
    expect(text).toContain('full_fact_period_vehicle_distance := full_fact_period_vehicle_distance OR full_dim_operating_period OR full_fact_vehicle_location;');
    expect(text).toContain('full_bi_avg_distance := full_bi_avg_distance OR full_fact_period_vehicle_distance OR full_dim_operating_period;');
    expect(text).toContain(`IF (full_fact_vehicle_location) THEN\n    CREATE OR REPLACE TABLE ${SCHEMA}."FACT_VEHICLE_LOCATION" CLUSTER BY ("DATE", "HOUR") COPY GRANTS AS\n      SELECT date, hour,`);
  });
});
