/**
 * The published warehouse compared with the lake, before a build opens anything for writing: the
 * published file is opened read-only and its `_loaded_partitions` set against the lake listing.
 *
 * - Nothing changed (the same lake folder, the same model set by its hash in `_warehouse`, every
 *   partition with the signature the listing gives it now, none more, none fewer): there is
 *   nothing to build and nothing is written. It costs one listing and one small read at any history.
 * - Otherwise the partitions loaded and removed since the published build: what the build reports,
 *   even though the spare file it brings up to date may be a build further behind.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { lakeListing, type SkippedLakeEntry } from './lake-listing.js';
import { readWarehouseMeta } from './warehouse-meta.js';
import type { ModelReport } from '../embedded-warehouse.js';
import type { Model } from '../model-graph.js';
import { duckdbDialect } from './duckdb-dialect.js';
import { publishedWarehouse } from './warehouse-files.js';

export interface UnchangedWarehouse {
  readonly unchanged: true;
  /** Rows of each loaded table, as a build reports them. */
  readonly tables: Record<string, number>;
  /** What the lake holds that is no partition of it. */
  readonly skipped: SkippedLakeEntry[];
  /** Each model, unchanged, with the rows its table holds. */
  readonly models: ModelReport[];
}

export interface ChangedSincePublished {
  readonly unchanged: false;
  /** Partitions new or republished since the published build. */
  readonly loaded: string[];
  /** Partitions the published build holds that the lake no longer has. */
  readonly removed: string[];
}

interface LakeDiff {
  readonly sameBuild: boolean;
  readonly loaded: string[];
  readonly removed: string[];
  readonly skipped: SkippedLakeEntry[];
}

async function diffWithLake(connection: DuckDBConnection, lakeRoot: string, entities: readonly string[], modelsHash: string): Promise<LakeDiff> {
  const meta = await readWarehouseMeta(connection);
  const sameBuild = meta !== null && meta.lake === lakeRoot && meta.modelsHash === modelsHash;
  const held = new Map((await connection.runAndReadAll('SELECT key, signature FROM _loaded_partitions')).getRows().map((r) => [String(r[0]), String(r[1])]));
  const loaded: string[] = [];
  const skipped: SkippedLakeEntry[] = [];
  const listed = new Set<string>();
  for (const entity of entities) {
    const listing = await lakeListing(lakeRoot, entity);
    skipped.push(...listing.skipped);
    for (const partition of listing.partitions) {
      listed.add(partition.key);
      if (held.get(partition.key) !== partition.signature) loaded.push(partition.key);
    }
  }
  const removed = [...held.keys()].filter((key) => !listed.has(key));
  return { sameBuild, loaded, removed, skipped };
}

async function modelReports(connection: DuckDBConnection, models: readonly Model[]): Promise<ModelReport[]> {
  const reports: ModelReport[] = [];
  for (const model of models) {
    const [row] = (await connection.runAndReadAll(`SELECT count(*) FROM ${duckdbDialect.table(model.name)}`)).getRows();
    reports.push({ name: model.name, materialized: model.materialized, build: 'unchanged', rowsChanged: 0, rowsRemoved: 0, rowsWritten: 0, rows: Number(row?.[0] ?? 0), tests: 0, seconds: 0 });
  }
  return reports;
}

/**
 * The published warehouse set against the lake: unchanged (with its sizes), or what changed since
 * it was built; null when there is none, or it cannot be read (held for writing, another version).
 */
export async function compareWithPublished(
  stateDir: string,
  lakeRoot: string,
  entities: readonly string[],
  models: readonly Model[],
  modelsHash: string,
): Promise<UnchangedWarehouse | ChangedSincePublished | null> {
  const published = await publishedWarehouse(stateDir);
  if (published === null) return null;
  let instance;
  try {
    instance = await duckdb.DuckDBInstance.create(published, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false' });
  } catch {
    return null;
  }
  const connection = await instance.connect();
  try {
    const diff = await diffWithLake(connection, lakeRoot, entities, modelsHash);
    if (!diff.sameBuild || diff.loaded.length > 0 || diff.removed.length > 0) return { unchanged: false, loaded: diff.loaded, removed: diff.removed };
    const tables: Record<string, number> = {};
    for (const entity of entities) {
      const [row] = (await connection.runAndReadAll(`SELECT count(*) FROM main.${entity}`)).getRows();
      tables[entity] = Number(row?.[0] ?? 0);
    }
    return { unchanged: true, tables, skipped: diff.skipped, models: await modelReports(connection, models) };
  } catch {
    return null;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
