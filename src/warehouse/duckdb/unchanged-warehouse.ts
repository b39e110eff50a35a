/**
 * The no-change build: before a build opens anything for writing, the published warehouse is
 * opened read-only and compared with the lake: the same lake folder, the same model set (its hash
 * in `_warehouse`), and every partition in `_loaded_partitions` with the signature the lake
 * listing gives it now, none more, none fewer. Then there is nothing to build, and nothing is
 * written. It costs one listing of the lake and one small read, at any history.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { lakePartitions } from './lake-listing.js';
import type { WarehouseBuildReport } from '../embedded-warehouse.js';
import { readWarehouseMeta } from './warehouse-meta.js';
import { publishedWarehouse } from './warehouse-files.js';

export interface UnchangedWarehouse {
  /** Rows of each loaded table, as a build reports them. */
  readonly tables: Record<string, number>;
}

async function upToDate(connection: DuckDBConnection, lakeRoot: string, entities: readonly string[], modelsHash: string): Promise<boolean> {
  const meta = await readWarehouseMeta(connection);
  if (meta === null || meta.lake !== lakeRoot || meta.modelsHash !== modelsHash) return false;
  const loaded = new Map(
    (await connection.runAndReadAll('SELECT key, signature FROM _loaded_partitions')).getRows().map((r) => [String(r[0]), String(r[1])]),
  );
  let listed = 0;
  for (const entity of entities) {
    for (const partition of await lakePartitions(lakeRoot, entity)) {
      if (loaded.get(partition.key) !== partition.signature) return false;
      listed += 1;
    }
  }
  return listed === loaded.size;
}

/** The published warehouse's table sizes when nothing changed since it was built; null when a build has work to do. */
export async function unchangedWarehouse(stateDir: string, lakeRoot: string, entities: readonly string[], modelsHash: string): Promise<UnchangedWarehouse | null> {
  const published = await publishedWarehouse(stateDir);
  if (published === null) return null;
  let instance;
  try {
    instance = await duckdb.DuckDBInstance.create(published, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false' });
  } catch {
    // Held for writing by someone else, or not a warehouse this version can read: a build decides.
    return null;
  }
  const connection = await instance.connect();
  try {
    if (!(await upToDate(connection, lakeRoot, entities, modelsHash))) return null;
    const tables: Record<string, number> = {};
    for (const entity of entities) {
      const [row] = (await connection.runAndReadAll(`SELECT count(*) FROM main.${entity}`)).getRows();
      tables[entity] = Number(row?.[0] ?? 0);
    }
    return { tables };
  } catch {
    return null;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A build's report, saying whether it found nothing to do (then it wrote nothing). */
export type DuckDbBuildReport = WarehouseBuildReport & { readonly unchanged: boolean };
