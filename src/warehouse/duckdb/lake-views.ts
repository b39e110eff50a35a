/** The lake's entities as views in the warehouse (`lake.vehicle`, …). */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../duckdb/sql-string.js';
import type { Entity } from '../../events/entity.js';
import { lakePartitions } from './lake-listing.js';

const SQL_TYPES = { string: 'VARCHAR', timestamp: 'TIMESTAMPTZ', double: 'DOUBLE' } as const;

export function emptyEntitySelect(entity: Entity): string {
  const columns = entity.columns.map((c) => `CAST(NULL AS ${SQL_TYPES[c.type as keyof typeof SQL_TYPES] ?? 'VARCHAR'}) AS ${c.name}`);
  return `SELECT ${[...columns, 'CAST(NULL AS VARCHAR) AS source_object', 'CAST(NULL AS BIGINT) AS source_line', 'CAST(NULL AS DATE) AS date', 'CAST(NULL AS INTEGER) AS hour'].join(', ')} WHERE false`;
}

/**
 * The lake's entities as views (`lake.vehicle`, …): over its Parquet files, date and hour from
 * the path; an Avro lake (which DuckDB cannot read without a download) is viewed through the
 * internal tables its partitions are loaded into.
 */
export async function createLakeViews(connection: DuckDBConnection, lakeRoot: string, entities: readonly Entity[]): Promise<void> {
  await connection.run('CREATE SCHEMA IF NOT EXISTS lake');
  for (const entity of entities) {
    await connection.run(`CREATE TABLE IF NOT EXISTS main.${entity.name} AS ${emptyEntitySelect(entity)}`);
    const partitions = await lakePartitions(lakeRoot, entity.name);
    const glob = sqlString(join(lakeRoot, entity.name, '*', '*', '*.parquet'));
    const body = partitions.some((p) => p.format === 'parquet')
      ? `SELECT * FROM read_parquet(${glob}, hive_partitioning = true, hive_types = {'date': DATE, 'hour': INTEGER})`
      : partitions.length > 0
        ? `SELECT * FROM main.${entity.name}`
        : emptyEntitySelect(entity);
    await connection.run(`CREATE OR REPLACE VIEW lake.${entity.name} AS ${body}`);
  }
}

