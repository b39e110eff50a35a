/** Models and their data tests: dependency order, and builds that a planted defect must fail. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEmbeddedWarehouse } from '../../src/warehouse/embedded-warehouse-registry.js';
import { parseDataTest } from '../../src/warehouse/data-tests.js';
import { modelsDir } from '../../src/warehouse/model-files.js';
import { buildOrder, loadModels, parseModel, type Model } from '../../src/warehouse/model-graph.js';
import { runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';

const model = (name: string, dependsOn: string[]): Model => parseModel(name, `-- depends_on: ${dependsOn.join(', ')}\nSELECT 1`, `${name}.sql`);

describe('the model graph', () => {
  it('orders the shipped models after what they read, and reads their tests from the headers', () => {
    const models = loadModels(modelsDir());
    const order = buildOrder(models, ['vehicle', 'operating_period']).map((m) => m.name);
    for (const m of models) for (const dep of m.dependsOn) if (order.includes(dep)) expect(order.indexOf(dep), `${dep} before ${m.name}`).toBeLessThan(order.indexOf(m.name));
    expect(order.at(-1)).toBe('bi_avg_distance');
    expect(models.find((m) => m.name === 'dim_vehicle')?.tests).toContainEqual({ kind: 'relationships', column: 'organization_key', table: 'dim_organization', to: 'organization_key' });
  });

  it('refuses a cycle and a dependency on nothing, naming them', () => {
    expect(() => buildOrder([model('a', ['b']), model('b', ['a'])], [])).toThrow(/cycle: a → b → a/);
    expect(() => buildOrder([model('a', ['nowhere'])], [])).toThrow(/model a depends on nowhere, which is neither a model nor a loaded table/);
  });

  it('parses the four kinds of data test and refuses others', () => {
    expect(parseDataTest("accepted_values(event: 'create', 'it''s')", 'x')).toEqual({ kind: 'accepted_values', column: 'event', values: ['create', "it's"] });
    expect(parseDataTest('unique(a, b)', 'x')).toEqual({ kind: 'unique', columns: ['a', 'b'] });
    expect(() => parseDataTest('sometimes(a)', 'f.sql')).toThrow(/f.sql: unknown test sometimes/);
    expect(() => parseDataTest('unique(a; DROP TABLE x)', 'f.sql')).toThrow(/is not a column name/);
  });
});

describe('a build whose models break their tests', () => {
  async function sampleLake(): Promise<{ lake: string; state: string }> {
    const lake = await tempDir();
    const state = `${lake}-state`;
    expect((await runCli(['run', '--source', SAMPLE, '--lake', lake, '--hour', SAMPLE_HOUR, '--state', state])).code).toBe(0);
    return { lake, state };
  }

  /** The shipped models with one replaced by a planted defect. */
  function planted(name: string, sql: string): Model[] {
    return loadModels(modelsDir()).map((m) => (m.name === name ? { ...m, sql } : m));
  }

  it('fails on a duplicate surrogate key, naming the model, the test and offending rows, and keeps the last good warehouse', async () => {
    const { lake, state } = await sampleLake();
    const warehouse = await openEmbeddedWarehouse();
    await warehouse.build({ stateDir: state, lakeRoot: lake, models: loadModels(modelsDir()) });
    const duplicate = planted(
      'dim_vehicle',
      `CREATE OR REPLACE TABLE dim_vehicle AS
       SELECT hash(vehicle_id) AS vehicle_key, vehicle_id, hash(arg_max(organization_id, event_at)) AS organization_key FROM vehicle GROUP BY vehicle_id
       UNION ALL SELECT hash('x') AS vehicle_key, 'x', hash('org-id') UNION ALL SELECT hash('x'), 'x-again', hash('org-id')`,
    );
    await expect(warehouse.build({ stateDir: state, lakeRoot: lake, models: duplicate })).rejects.toThrow(
      /^warehouse build failed: model dim_vehicle, test unique\(vehicle_key\): 1 offending row\(s\), e\.g\. \{"vehicle_key":"\d+","copies":"2"\}$/,
    );
    // The warehouse readers use is the last good one.
    const reader = await warehouse.openReader(state);
    expect((await reader.query('SELECT count(*) AS n FROM dim_vehicle')).rows).toEqual([{ n: '100' }]);
    reader.close();
  });

  it('fails on a fact row pointing at no dimension', async () => {
    const { lake, state } = await sampleLake();
    const orphan = planted(
      'dim_vehicle',
      `CREATE OR REPLACE TABLE dim_vehicle AS
       SELECT hash(vehicle_id) AS vehicle_key, vehicle_id, hash(arg_max(organization_id, event_at)) AS organization_key FROM vehicle
       WHERE vehicle_id <> (SELECT min(vehicle_id) FROM vehicle) GROUP BY vehicle_id`,
    );
    await expect((await openEmbeddedWarehouse()).build({ stateDir: state, lakeRoot: lake, models: orphan })).rejects.toThrow(
      /^warehouse build failed: model fact_vehicle_location, test relationships\(vehicle_key -> dim_vehicle\.vehicle_key\): \d+ offending row\(s\), e\.g\. \{"location_key"/,
    );
  });

  it('lets readers query the warehouse while a long build runs', async () => {
    const { lake, state } = await sampleLake();
    const warehouse = await openEmbeddedWarehouse();
    await warehouse.build({ stateDir: state, lakeRoot: lake, models: loadModels(modelsDir()) });
    const slow = [...loadModels(modelsDir()), parseModel('slow', 'CREATE OR REPLACE TABLE slow AS SELECT sum(a * b) AS s FROM range(40000000) t(a), range(2) u(b)', join('slow.sql'))];
    let done = false;
    const building = warehouse.build({ stateDir: state, lakeRoot: lake, models: slow }).finally(() => (done = true));
    let answered = 0;
    while (!done) {
      const reader = await warehouse.openReader(state);
      expect((await reader.query('SELECT count(*) AS n FROM bi_avg_distance')).rows).toEqual([{ n: '2' }]);
      reader.close();
      answered++;
    }
    await building;
    expect(answered).toBeGreaterThan(1);
  });
});
