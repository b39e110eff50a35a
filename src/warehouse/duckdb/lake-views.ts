/** The lake's entities as views in the warehouse (`lake.vehicle`, …). */
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { sqlString } from '../../duckdb/sql-string.js';
import type { Entity } from '../../events/entity.js';
import { LAKE_FILES_TABLE } from '../lake-files-table.js';
import { lakeListing, type LakePartition, type SkippedLakeEntry } from './lake-listing.js';

const SQL_TYPES = { string: 'VARCHAR', timestamp: 'TIMESTAMPTZ', double: 'DOUBLE' } as const;

export function emptyEntitySelect(entity: Entity): string {
  const columns = entity.columns.map((c) => `CAST(NULL AS ${SQL_TYPES[c.type as keyof typeof SQL_TYPES] ?? 'VARCHAR'}) AS ${c.name}`);
  return `SELECT ${[...columns, 'CAST(NULL AS VARCHAR) AS source_object', 'CAST(NULL AS BIGINT) AS source_line', 'CAST(NULL AS DATE) AS date', 'CAST(NULL AS INTEGER) AS hour'].join(', ')} WHERE false`;
}

/**
 * The view's body over the entity's partitions: its Parquet files by explicit list (date and hour
 * from the path), and its Avro partitions (which DuckDB cannot read without a download) from the
 * internal table they are loaded into; both when the lake holds both.
 */
export function lakeViewSelect(entity: Entity, partitions: readonly LakePartition[]): string {
  const parquet = partitions.filter((p) => p.format === 'parquet').flatMap((p) => p.files);
  const avro = partitions.some((p) => p.format === 'avro');
  const parts: string[] = [];
  if (parquet.length > 0) {
    parts.push(`SELECT * FROM read_parquet([${parquet.map(sqlString).join(', ')}], hive_partitioning = true, hive_types = {'date': DATE, 'hour': INTEGER})`);
  }
  if (avro) {
    parts.push(
      parquet.length === 0
        ? `SELECT * FROM main.${entity.name}`
        : `SELECT * FROM main.${entity.name} WHERE (date, hour) IN (SELECT date, hour FROM main.${LAKE_FILES_TABLE} WHERE entity = ${sqlString(entity.name)} AND format = 'avro')`,
    );
  }
  return parts.length === 0 ? emptyEntitySelect(entity) : parts.join('\nUNION ALL BY NAME\n');
}

export interface LakeViews {
  /** What the lake holds that is no partition of it: left out of the views, never read. */
  readonly skipped: readonly SkippedLakeEntry[];
}

/**
 * The lake's entities as views (`lake.vehicle`, …) over the files listed now: the views, the
 * loading of hours and explain's counts all see the same files, and a folder eventlake did not
 * write (`date=2019-06-01=x`, `hour=24`) is told as skipped instead of failing the build.
 */
export async function createLakeViews(connection: DuckDBConnection, lakeRoot: string, entities: readonly Entity[]): Promise<LakeViews> {
  await connection.run('CREATE SCHEMA IF NOT EXISTS lake');
  await connection.run(`CREATE OR REPLACE TABLE main.${LAKE_FILES_TABLE} (entity VARCHAR, date DATE, hour INTEGER, format VARCHAR, path VARCHAR)`);
  const skipped: SkippedLakeEntry[] = [];
  for (const entity of entities) {
    await connection.run(`CREATE TABLE IF NOT EXISTS main.${entity.name} AS ${emptyEntitySelect(entity)}`);
    const listing = await lakeListing(lakeRoot, entity.name);
    skipped.push(...listing.skipped);
    const appender = await connection.createAppender(LAKE_FILES_TABLE, 'main');
    try {
      for (const p of listing.partitions) {
        for (const file of p.files) {
          appender.appendVarchar(entity.name);
          appender.appendDate(new duckdb.DuckDBDateValue(Math.round(Date.parse(`${p.date}T00:00:00Z`) / 86_400_000)));
          appender.appendInteger(p.hour);
          appender.appendVarchar(p.format);
          appender.appendVarchar(file);
          appender.endRow();
        }
      }
    } finally {
      appender.closeSync();
    }
    await connection.run(`CREATE OR REPLACE VIEW lake.${entity.name} AS ${lakeViewSelect(entity, listing.partitions)}`);
  }
  return { skipped };
}
