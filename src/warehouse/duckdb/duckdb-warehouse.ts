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
import { UserError } from '../../errors/user-error.js';
import type { Entity } from '../../events/entity.js';
import { defaultRegistry } from '../../events/entity-registry.js';
import { describeTest, offendingRowsSql } from '../data-tests.js';
import { buildOrder, type Model } from '../model-graph.js';
import type { ModelReport, WarehouseBuildOptions, WarehouseBuildReport } from '../embedded-warehouse.js';
import { WAREHOUSE_FILE } from '../console/warehouse-file.js';
import { appendAvroPartition } from './avro-partition-loader.js';
import { lakePartitions } from './lake-listing.js';
import { createLakeViews } from './lake-views.js';
import { acquireBuildLock } from './build-lock.js';


async function rowsOf(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function count(connection: DuckDBConnection, table: string): Promise<number> {
  const [row] = await rowsOf(connection, `SELECT count(*) AS n FROM ${table}`);
  return Number(row?.['n'] ?? 0);
}

/** Reloads the partitions whose files changed since the last build; removes those gone. */
async function loadChangedHours(connection: DuckDBConnection, lakeRoot: string, entities: readonly Entity[]): Promise<{ loaded: string[]; removed: string[] }> {
  await connection.run('CREATE TABLE IF NOT EXISTS _loaded_partitions (key VARCHAR PRIMARY KEY, entity VARCHAR, date DATE, hour INTEGER, signature VARCHAR)');
  const loaded: string[] = [];
  const removed: string[] = [];
  for (const entity of entities) {
    const known = new Map(
      (await rowsOf(connection, `SELECT key, signature FROM _loaded_partitions WHERE entity = ${sqlString(entity.name)}`)).map((r) => [String(r['key']), String(r['signature'])]),
    );
    const current = await lakePartitions(lakeRoot, entity.name);
    for (const p of current) {
      if (known.get(p.key) === p.signature) continue;
      const where = `date = DATE ${sqlString(p.date)} AND hour = ${p.hour}`;
      await connection.run('BEGIN TRANSACTION');
      await connection.run(`DELETE FROM main.${entity.name} WHERE ${where}`);
      if (p.format === 'avro') await appendAvroPartition(connection, entity, p.files, p.date, p.hour);
      else await connection.run(`INSERT INTO main.${entity.name} SELECT * FROM lake.${entity.name} WHERE ${where}`);
      await connection.run(
        `INSERT OR REPLACE INTO _loaded_partitions VALUES (${sqlString(p.key)}, ${sqlString(entity.name)}, DATE ${sqlString(p.date)}, ${p.hour}, ${sqlString(p.signature)})`,
      );
      await connection.run('COMMIT');
      loaded.push(p.key);
    }
    const present = new Set(current.map((p) => p.key));
    for (const key of known.keys()) {
      if (present.has(key)) continue;
      const [, date, hour] = /date=([\d-]+)\/hour=(\d+)$/.exec(key) ?? [];
      await connection.run(`DELETE FROM main.${entity.name} WHERE date = DATE ${sqlString(date ?? '')} AND hour = ${Number(hour)}`);
      await connection.run(`DELETE FROM _loaded_partitions WHERE key = ${sqlString(key)}`);
      removed.push(key);
    }
  }
  return { loaded, removed };
}

/** Runs each model in dependency order, then its data tests; the first failing test stops the build. */
async function runModels(connection: DuckDBConnection, models: readonly Model[], sources: readonly string[]): Promise<ModelReport[]> {
  const reports: ModelReport[] = [];
  for (const model of buildOrder(models, sources)) {
    const started = performance.now();
    await connection.run(model.sql);
    for (const test of model.tests) {
      const offending = await rowsOf(connection, `${offendingRowsSql(model.name, test)} LIMIT 3`);
      if (offending.length > 0) {
        const [total] = await rowsOf(connection, `SELECT count(*) AS n FROM (${offendingRowsSql(model.name, test)})`);
        throw new UserError(
          `warehouse build failed: model ${model.name}, test ${describeTest(test)}: ${Number(total?.['n'])} offending row(s), e.g. ${offending.map((r) => JSON.stringify(r)).join('; ')}`,
        );
      }
    }
    reports.push({ name: model.name, rows: await count(connection, model.name), tests: model.tests.length, seconds: (performance.now() - started) / 1000 });
  }
  return reports;
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
      const { skipped } = await createLakeViews(connection, options.lakeRoot, entities);
      const { loaded, removed } = await loadChangedHours(connection, options.lakeRoot, entities);
      const models = await runModels(connection, options.models, entities.map((e) => e.name));
      const tables: Record<string, number> = {};
      for (const entity of entities) tables[entity.name] = await count(connection, `main.${entity.name}`);
      await connection.run('CHECKPOINT');
      report = { loaded, removed, skipped, tables, models };
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
