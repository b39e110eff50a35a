/**
 * The no-change build: before a build opens anything for writing, the published warehouse is
 * opened read-only and compared with the lake: the same lake folder, the same model set (its hash
 * in `_warehouse`), and every partition in `_loaded_partitions` with the signature the lake
 * listing gives it now, none more, none fewer. Then there is nothing to build, and nothing is
 * written. It costs one listing of the lake and one small read, at any history.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { lakeListing, type SkippedLakeEntry } from './lake-listing.js';
import { readWarehouseMeta } from './warehouse-meta.js';
import { publishedWarehouse } from './warehouse-files.js';

export interface UnchangedWarehouse {
  /** Rows of each loaded table, as a build reports them. */
  readonly tables: Record<string, number>;
  /** What the lake holds that is no partition of it, as the build that found it said. */
  readonly skipped: SkippedLakeEntry[];
}

/** What the lake leaves out when the warehouse is up to date with it; null when it is not. */
async function upToDate(connection: DuckDBConnection, lakeRoot: string, entities: readonly string[], modelsHash: string): Promise<SkippedLakeEntry[] | null> {
  const meta = await readWarehouseMeta(connection);
  if (meta === null || meta.lake !== lakeRoot || meta.modelsHash !== modelsHash) return null;
  const loaded = new Map(
    (await connection.runAndReadAll('SELECT key, signature FROM _loaded_partitions')).getRows().map((r) => [String(r[0]), String(r[1])]),
  );
  let listed = 0;
  const skipped: SkippedLakeEntry[] = [];
  for (const entity of entities) {
    const listing = await lakeListing(lakeRoot, entity);
    skipped.push(...listing.skipped);
    for (const partition of listing.partitions) {
      if (loaded.get(partition.key) !== partition.signature) return null;
      listed += 1;
    }
  }
  return listed === loaded.size ? skipped : null;
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
    const skipped = await upToDate(connection, lakeRoot, entities, modelsHash);
    if (skipped === null) return null;
    const tables: Record<string, number> = {};
    for (const entity of entities) {
      const [row] = (await connection.runAndReadAll(`SELECT count(*) FROM main.${entity}`)).getRows();
      tables[entity] = Number(row?.[0] ?? 0);
    }
    return { tables, skipped };
  } catch {
    return null;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
