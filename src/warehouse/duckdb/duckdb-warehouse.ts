/**
 * The embedded warehouse: one DuckDB file in the state folder, `warehouse.duckdb`.
 *
 * A build never writes the file readers use: `warehouse.duckdb` links to one of two files and the
 * build brings the other up to date (the lake's views, the hours whose files changed reloaded
 * into the internal tables, the models built and tested), then swaps the link
 * (warehouse-files.ts). Readers open the link read-only and never meet a writer's lock; a failed
 * build leaves the last good warehouse in place; with nothing changed a build writes nothing
 * (unchanged-warehouse.ts). One build at a time, by a lock file naming its process.
 */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { defaultRegistry } from '../../events/entity-registry.js';
import type { ModelReport, WarehouseBuildOptions, WarehouseBuildReport } from '../embedded-warehouse.js';
import { WAREHOUSE_FILE } from '../console/warehouse-file.js';
import { loadChangedHours } from './changed-hours.js';
import { duckdbDialect } from './duckdb-dialect.js';
import { createLakeViews } from './lake-views.js';
import { acquireBuildLock } from './build-lock.js';
import { dropBuildTables, planModels, runModels } from './model-runner.js';
import { compareWithPublished } from './unchanged-warehouse.js';
import { openSpareWarehouse, type SpareWarehouse } from './warehouse-files.js';
import { modelSetHash, writeWarehouseMeta } from './warehouse-meta.js';

async function count(connection: DuckDBConnection, table: string): Promise<number> {
  const [row] = (await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table}`)).getRowObjectsJson() as Record<string, unknown>[];
  return Number(row?.['n'] ?? 0);
}

export async function buildDuckDbWarehouse(options: WarehouseBuildOptions): Promise<WarehouseBuildReport> {
  const started = performance.now();
  const database = join(options.stateDir, WAREHOUSE_FILE);
  const lock = await acquireBuildLock(join(options.stateDir, 'warehouse.lock'), options.onWait);
  const modelsHash = modelSetHash(options.models);
  let spare: SpareWarehouse | undefined;
  try {
    const entityNames = defaultRegistry().entities.map((e) => e.name);
    const since = await compareWithPublished(options.stateDir, options.lakeRoot, entityNames, options.models, modelsHash);
    if (since?.unchanged === true && options.fullRefresh !== true) {
      return { database, loaded: [], removed: [], skipped: since.skipped, tables: since.tables, models: since.models, unchanged: true, seconds: (performance.now() - started) / 1000 };
    }
    spare = await openSpareWarehouse(options.stateDir);
    const { instance } = spare;
    const connection = await instance.connect();
    let report: Omit<WarehouseBuildReport, 'seconds' | 'database' | 'unchanged'>;
    try {
      await connection.run("SET TimeZone = 'UTC'");
      const entities = defaultRegistry().entities;
      await writeWarehouseMeta(connection, options.lakeRoot, modelsHash);
      const { skipped } = await createLakeViews(connection, options.lakeRoot, entities);
      const sources = entities.map((e) => e.name);
      // Loaded only for a build that has work to do: the template engine is a tenth of a no-change build.
      const { compileModels } = await import('../model-compiler.js');
      const compiled = compileModels(options.models, duckdbDialect, sources);
      // One transaction: a build that fails leaves this file as it found it (loads and models alike).
      await connection.run('BEGIN TRANSACTION');
      let models: ModelReport[];
      let loaded: string[];
      let removed: string[];
      try {
        const plan = await planModels(connection, compiled, duckdbDialect, options.fullRefresh === true);
        const hours = await loadChangedHours(connection, options.lakeRoot, entities, duckdbDialect, plan.changesFor);
        ({ loaded, removed } = hours);
        models = await runModels(connection, compiled, duckdbDialect, plan, hours.changed);
        await dropBuildTables(connection, compiled, sources, duckdbDialect);
        await connection.run('COMMIT');
      } catch (err) {
        await connection.run('ROLLBACK');
        throw err;
      }
      const tables: Record<string, number> = {};
      for (const entity of entities) tables[entity.name] = await count(connection, `main.${entity.name}`);
      await connection.run('CHECKPOINT');
      // Said against the published warehouse: the spare may have caught up on an earlier build too.
      report = { loaded: since?.unchanged === false ? since.loaded : loaded, removed: since?.unchanged === false ? since.removed : removed, skipped, tables, models };
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    // The swap: readers that opened the old file keep it; new readers get this one.
    await spare.publish();
    return { database, ...report, unchanged: false, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    await spare?.discard();
    throw err;
  } finally {
    await lock.release();
  }
}
