/**
 * The `_warehouse` table: what the warehouse in a file was built from. One row: the lake folder
 * (the console's one readable folder), a hash of the model set, and when it was built. With
 * `_loaded_partitions` it tells a build whether anything changed since.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../duckdb/sql-string.js';

export interface WarehouseMeta {
  readonly lake: string;
  /** null in a warehouse built before the hash was kept: it never counts as unchanged. */
  readonly modelsHash: string | null;
}

/**
 * sha256 of the models as data (name, SQL, dependencies, tests, and whatever else a model
 * carries), in name order; where their files lie is left out, so moving the install changes
 * nothing.
 */
export function modelSetHash(models: readonly object[]): string {
  const texts = models.map((m) => JSON.stringify(m, (key: string, value: unknown) => (key === 'file' ? undefined : value)));
  return createHash('sha256').update(JSON.stringify(texts.sort())).digest('hex');
}

export async function writeWarehouseMeta(connection: DuckDBConnection, lake: string, modelsHash: string): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE _warehouse AS SELECT ${sqlString(lake)} AS lake, ${sqlString(modelsHash)} AS models_hash, now() AS built_at`);
}

export async function readWarehouseMeta(connection: DuckDBConnection): Promise<WarehouseMeta | null> {
  const columns = new Set(
    (await connection.runAndReadAll("SELECT column_name FROM duckdb_columns() WHERE table_name = '_warehouse' AND schema_name = 'main'")).getRows().map((r) => String(r[0])),
  );
  if (!columns.has('lake')) return null;
  const [row] = (await connection.runAndReadAll(`SELECT lake${columns.has('models_hash') ? ', models_hash' : ''} FROM _warehouse`)).getRowObjectsJson();
  if (!row) return null;
  return { lake: String(row['lake']), modelsHash: typeof row['models_hash'] === 'string' ? row['models_hash'] : null };
}
