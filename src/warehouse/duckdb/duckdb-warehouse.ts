/**
 * The embedded warehouse: one DuckDB file in the state folder, `warehouse.duckdb`.
 *
 * A build never writes the file readers use: it copies it to `warehouse.duckdb.building`,
 * brings that copy up to date (the lake's views, the hours whose files changed reloaded into the
 * internal tables, every model rebuilt and tested), and renames it over the old one. Readers
 * open the file read-only and never meet a writer's lock; a failed build leaves the last good
 * warehouse in place. One build at a time, by a lock file naming its process.
 */
import { copyFile, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { sqlString } from '../../duckdb/sql-string.js';
import { defaultRegistry } from '../../events/entity-registry.js';
import { compileModels } from '../model-compiler.js';
import type { ModelReport, WarehouseBuildOptions, WarehouseBuildReport } from '../embedded-warehouse.js';
import { WAREHOUSE_FILE } from '../console/warehouse-file.js';
import { loadChangedHours } from './changed-hours.js';
import { duckdbDialect } from './duckdb-dialect.js';
import { createLakeViews } from './lake-views.js';
import { acquireBuildLock } from './build-lock.js';
import { dropBuildTables, planModels, runModels } from './model-runner.js';


async function count(connection: DuckDBConnection, table: string): Promise<number> {
  const [row] = (await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table}`)).getRowObjectsJson() as Record<string, unknown>[];
  return Number(row?.['n'] ?? 0);
}

export async function buildDuckDbWarehouse(options: WarehouseBuildOptions): Promise<WarehouseBuildReport> {
  const started = performance.now();
  const database = join(options.stateDir, WAREHOUSE_FILE);
  const building = `${database}.building`;
  const lock = await acquireBuildLock(join(options.stateDir, 'warehouse.lock'), options.onWait);
  try {
    await rm(building, { force: true });
    await rm(`${building}.wal`, { force: true });
    if (existsSync(database)) await copyFile(database, building);
    const instance = await duckdb.DuckDBInstance.create(building, { autoinstall_known_extensions: 'false' });
    const connection = await instance.connect();
    let report: Omit<WarehouseBuildReport, 'seconds' | 'database'>;
    try {
      await connection.run("SET TimeZone = 'UTC'");
      const entities = defaultRegistry().entities;
      await connection.run(`CREATE OR REPLACE TABLE _warehouse AS SELECT ${sqlString(options.lakeRoot)} AS lake, now() AS built_at`);
      await createLakeViews(connection, options.lakeRoot, entities);
      const sources = entities.map((e) => e.name);
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
      report = { loaded, removed, tables, models };
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    // The swap: readers that opened the old file keep it; new readers get this one.
    await rename(building, database);
    return { database, ...report, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    await rm(building, { force: true });
    await rm(`${building}.wal`, { force: true });
    throw err;
  } finally {
    await lock.release();
  }
}
