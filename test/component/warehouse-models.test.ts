/**
 * The shipped models compiled for DuckDB and run: data tests that a planted defect must fail,
 * incremental builds equal to fresh ones after an hour is added, rerun with other rows or
 * deleted, a changed model rebuilt whole, and organizations kept apart.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WarehouseBuildReport } from '../../src/warehouse/embedded-warehouse.js';
import { describeTest } from '../../src/warehouse/data-tests.js';
import { openEmbeddedWarehouse } from '../../src/warehouse/embedded-warehouse-registry.js';
import { modelsDir } from '../../src/warehouse/model-files.js';
import { loadModels, parseModel, type Model } from '../../src/warehouse/model-graph.js';
import { compileModels } from '../../src/warehouse/model-compiler.js';
import { duckdbDialect } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { query, runCli, SAMPLE, SAMPLE_HOUR, tempDir, writeObject } from '../helpers/fixtures.js';
import { expectedAnswer, hourFeed, objectName, type Answer } from '../helpers/two-org-feed.js';

async function sampleLake(): Promise<{ lake: string; state: string }> {
  const lake = await tempDir();
  const state = `${lake}-state`;
  expect((await runCli(['run', '--source', SAMPLE, '--lake', lake, '--hour', SAMPLE_HOUR, '--state', state])).code).toBe(0);
  return { lake, state };
}

async function build(state: string, lake: string, models: readonly Model[] = loadModels(modelsDir()), fullRefresh = false): Promise<WarehouseBuildReport> {
  await mkdir(state, { recursive: true });
  return (await openEmbeddedWarehouse()).build({ stateDir: state, lakeRoot: lake, models, fullRefresh });
}

const built = (report: WarehouseBuildReport): Record<string, string> => Object.fromEntries(report.models.map((m) => [m.name, m.build]));

describe('the shipped models on DuckDB', () => {
  it('compile in build order from one source each and build the sample, every data test passing', async () => {
    const compiled = compileModels(loadModels(modelsDir()), duckdbDialect);
    const order = compiled.map((m) => m.name);
    for (const m of compiled) for (const dep of m.dependsOn) if (order.includes(dep)) expect(order.indexOf(dep), `${dep} before ${m.name}`).toBeLessThan(order.indexOf(m.name));
    expect(compiled.find((m) => m.name === 'fact_period_vehicle_distance')?.dependsOn).toEqual(['dim_operating_period', 'int_location_hour', 'fact_vehicle_location']);
    expect(compiled.find((m) => m.name === 'fact_vehicle_location')).toMatchObject({ materialized: 'incremental', uniqueKey: ['location_hour'] });
    const { lake, state } = await sampleLake();
    const first = await build(state, lake);
    expect(new Set(first.models.map((m) => m.build))).toEqual(new Set(['full']));
    expect(first.models.find((m) => m.name === 'bi_avg_distance')).toMatchObject({ materialized: 'incremental', rows: 2 });
    // Nothing changed: every model is left alone.
    const again = await build(state, lake);
    expect(new Set(again.models.map((m) => m.build))).toEqual(new Set(['unchanged']));
    expect(again.models.every((m) => m.rowsChanged === 0)).toBe(true);
  });
});

/** Runs `hour` of the two-organization feed (in `variant`) into the lake, replacing the hour. */
async function runHour(lake: string, hour: string, variant = 0): Promise<void> {
  const source = await tempDir();
  await writeObject(source, objectName(hour), `${hourFeed(hour, variant).map((e) => JSON.stringify(e)).join('\n')}\n`);
  const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', hour, '--state', `${lake}-runs`]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

const MODEL_TABLES = (): string[] => loadModels(modelsDir()).map((m) => m.name);

/**
 * Rows of each model table in one warehouse file and not the other, both ways (a multiset
 * difference, doubles rounded to 1e-9: sums may add in another order).
 */
async function differences(a: string, b: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const attach = `ATTACH '${a}' AS a (READ_ONLY); ATTACH '${b}' AS b (READ_ONLY);`;
  for (const table of MODEL_TABLES()) {
    const columns = await query(`${attach} SELECT column_name AS c, data_type AS t FROM duckdb_columns() WHERE database_name = 'a' AND table_name = '${table}' ORDER BY column_index`);
    const select = columns.map((c) => (c['t'] === 'DOUBLE' ? `round(${String(c['c'])}, 9)` : String(c['c']))).join(', ');
    const [row] = await query(
      `${attach} SELECT (SELECT count(*) FROM (SELECT ${select} FROM a.${table} EXCEPT ALL SELECT ${select} FROM b.${table})) + (SELECT count(*) FROM (SELECT ${select} FROM b.${table} EXCEPT ALL SELECT ${select} FROM a.${table})) AS n`,
    );
    out[table] = Number(row?.['n']);
  }
  return out;
}

/** A warehouse built from nothing on the same lake. */
async function fresh(lake: string): Promise<string> {
  return (await build(await tempDir(), lake)).database;
}

describe('incremental builds', () => {
  it('equal a fresh build, table by table, after an hour is added, rerun with other rows, and deleted', async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    const none = Object.fromEntries(MODEL_TABLES().map((t) => [t, 0]));
    await runHour(lake, '2020-03-01T08');
    await runHour(lake, '2020-03-01T09');
    const first = await build(state, lake);
    expect(await differences(first.database, await fresh(lake))).toEqual(none);

    // Added: the facts and the periods touching the new hour are replaced, not rebuilt.
    await runHour(lake, '2020-03-01T10');
    const added = await build(state, lake);
    expect([...added.loaded].sort()).toEqual(['operating_period/date=2020-03-01/hour=10', 'vehicle/date=2020-03-01/hour=10']);
    expect(built(added)).toMatchObject({ fact_vehicle_location: 'incremental', fact_period_vehicle_distance: 'incremental', bi_avg_distance: 'incremental', dim_time: 'unchanged' });
    // The new hour's locations and the late one in the hour before: two location hours.
    expect(added.models.find((m) => m.name === 'int_location_hour')).toMatchObject({ rowsRemoved: 1, rowsWritten: 2 });
    expect(await differences(added.database, await fresh(lake))).toEqual(none);

    // Rerun with every point moved: its old rows leave, exactly.
    await runHour(lake, '2020-03-01T09', 1);
    const rerun = await build(state, lake);
    expect([...rerun.loaded].sort()).toEqual(['operating_period/date=2020-03-01/hour=09', 'vehicle/date=2020-03-01/hour=09']);
    expect(built(rerun)['fact_vehicle_location']).toBe('incremental');
    expect(await differences(rerun.database, await fresh(lake))).toEqual(none);

    // Deleted from the lake: its rows leave every table.
    for (const entity of ['vehicle', 'operating_period']) await rm(join(lake, entity, 'date=2020-03-01', 'hour=08'), { recursive: true });
    const deleted = await build(state, lake);
    expect([...deleted.removed].sort()).toEqual(['operating_period/date=2020-03-01/hour=08', 'vehicle/date=2020-03-01/hour=08']);
    expect(await differences(deleted.database, await fresh(lake))).toEqual(none);
    expect((await query(`ATTACH '${deleted.database}' AS w (READ_ONLY); SELECT count(*) AS n FROM w.dim_operating_period WHERE period_id = 'op_08'`))[0]).toEqual({ n: '0' });
  });

  it('rebuild a model whose SQL changed whole, and everything downstream of it; --full-refresh rebuilds all', async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    await runHour(lake, '2020-03-01T08');
    await build(state, lake);
    const changed = loadModels(modelsDir()).map((m) => (m.name === 'int_location_hour' ? parseModel(m.name, `-- materialized: incremental\n-- unique_key: location_hour\n${m.sql.replace('count(*) AS locations', 'count(*) + 0 AS locations')}`, m.file) : m));
    const report = built(await build(state, lake, changed));
    expect(report).toMatchObject({ int_location_hour: 'full', fact_period_vehicle_distance: 'full', bi_avg_distance: 'full', fact_vehicle_location: 'unchanged', dim_vehicle: 'unchanged' });
    // The warehouse records the new SQL: the next build leaves it alone.
    expect(built(await build(state, lake, changed))['int_location_hour']).toBe('unchanged');
    expect(new Set(Object.values(built(await build(state, lake, changed, true))))).toEqual(new Set(['full']));
  });
});

describe('two organizations', () => {
  it('keep a reused period id and a reused vehicle id apart: the answer equals one computed from the events in TypeScript', async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    const hours = ['2020-03-01T08', '2020-03-01T09'];
    for (const hour of hours) await runHour(lake, hour);
    const report = await build(state, lake);
    const rows = await query(
      `ATTACH '${report.database}' AS w (READ_ONLY); SELECT organization_id, period_id, CAST(vehicles AS INTEGER) AS vehicles, avg_km FROM w.bi_avg_distance ORDER BY organization_id, period_id`,
    );
    const expected = expectedAnswer(hours.flatMap((h) => hourFeed(h)));
    expect(expected.filter((a) => a.period_id === 'op_1').map((a) => a.organization_id)).toEqual(['org-a', 'org-b']);
    expect(rows.map((r) => [r['organization_id'], r['period_id'], r['vehicles']])).toEqual(expected.map((a) => [a.organization_id, a.period_id, a.vehicles]));
    rows.forEach((r, i) => expect(Math.abs(Number(r['avg_km']) / (expected[i] as Answer).avg_km - 1), String(r['period_id'])).toBeLessThan(1e-9));
    // v1 of each organization is its own vehicle.
    expect(await query(`ATTACH '${report.database}' AS w (READ_ONLY); SELECT organization_id FROM w.dim_vehicle WHERE vehicle_id = 'v1' ORDER BY 1`)).toEqual([
      { organization_id: 'org-a' },
      { organization_id: 'org-b' },
    ]);
  });
});

describe('a build whose models break their tests', () => {
  /** The shipped models with one replaced by a planted defect (a table model of that body). */
  function planted(name: string, body: string): Model[] {
    return loadModels(modelsDir()).map((m) => (m.name === name ? parseModel(name, `${m.tests.map((t) => `-- test: ${describeTest(t)}`).join('\n')}\n${body}`, m.file) : m));
  }

  it('fails on a duplicate surrogate key, naming the model, the test and offending rows, and keeps the last good warehouse', async () => {
    const { lake, state } = await sampleLake();
    await build(state, lake);
    const duplicate = planted(
      'dim_vehicle',
      `SELECT {{ key('organization_id', 'vehicle_id') }} AS vehicle_key, vehicle_id, organization_id, {{ key('organization_id') }} AS organization_key
       FROM {{ ref('int_vehicle_hour') }} GROUP BY organization_id, vehicle_id
       UNION ALL SELECT hash('x'), 'x', 'org-id', hash('org-id') UNION ALL SELECT hash('x'), 'x-again', 'org-id', hash('org-id')`,
    );
    await expect(build(state, lake, duplicate)).rejects.toThrow(/^warehouse build failed: model dim_vehicle, test unique\(vehicle_key\): 1 offending row\(s\), e\.g\. \{"vehicle_key":"\d+","copies":"2"\}$/);
    // The warehouse readers use is the last good one.
    const reader = await (await openEmbeddedWarehouse()).openReader(state);
    expect((await reader.query('SELECT count(*) AS n FROM dim_vehicle')).rows).toEqual([{ n: '100' }]);
    reader.close();
  });

  it('fails on a fact row pointing at no dimension', async () => {
    const { lake, state } = await sampleLake();
    const orphan = planted(
      'dim_vehicle',
      `SELECT {{ key('organization_id', 'vehicle_id') }} AS vehicle_key, vehicle_id, organization_id, {{ key('organization_id') }} AS organization_key
       FROM {{ ref('int_vehicle_hour') }} WHERE vehicle_id <> (SELECT min(vehicle_id) FROM {{ ref('int_vehicle_hour') }}) GROUP BY organization_id, vehicle_id`,
    );
    await expect(build(state, lake, orphan)).rejects.toThrow(
      /^warehouse build failed: model fact_vehicle_location, test relationships\(vehicle_key -> dim_vehicle\.vehicle_key\): \d+ offending row\(s\), e\.g\. \{"location_key"/,
    );
  });

  it('lets readers query the warehouse while a long build runs', async () => {
    const { lake, state } = await sampleLake();
    await build(state, lake);
    const slow = [...loadModels(modelsDir()), parseModel('slow', 'SELECT sum(a * b) AS s FROM range(40000000) t(a), range(2) u(b)', 'slow.sql')];
    let done = false;
    const building = build(state, lake, slow).finally(() => (done = true));
    let answered = 0;
    while (!done) {
      const reader = await (await openEmbeddedWarehouse()).openReader(state);
      expect((await reader.query('SELECT count(*) AS n FROM bi_avg_distance')).rows).toEqual([{ n: '2' }]);
      reader.close();
      answered++;
    }
    await building;
    expect(answered).toBeGreaterThan(1);
  });
});
