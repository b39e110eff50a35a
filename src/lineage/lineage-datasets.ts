/**
 * Dataset names as OpenLineage's naming conventions give them, so that the same dataset has the
 * same name whoever reports it (eventlake's hour runs, its warehouse build, Spark reading the
 * lake): a local folder is namespace `file` and its absolute path; an S3 location is namespace
 * `s3://bucket` and its key prefix. A lake dataset is one entity (`vehicle`), not one hour:
 * consumers such as Marquez then show one node per entity with a version per run, and the hours a
 * run wrote or a build read are in the `eventlake_partitions` facet.
 */
import { join } from 'node:path';
import type { ObjectStoreConfig } from '../storage/object-store-config.js';
import type { Dataset } from './openlineage-event.js';

function located(config: ObjectStoreConfig, path: string): Dataset {
  if (config.kind === 'local') return { namespace: 'file', name: path === '' ? config.root : join(config.root, path) };
  const name = `${config.prefix}${path}`.replace(/\/$/, '');
  return { namespace: `s3://${config.bucket}`, name: name === '' ? '/' : name };
}

/** Where a run reads its hour's source objects from: the source folder or prefix. */
export function sourceDataset(source: ObjectStoreConfig): Dataset {
  return located(source, '');
}

/** A lake entity (`vehicle`, `operating_period`): the folder of all its hour partitions. */
export function lakeDataset(lake: ObjectStoreConfig, entity: string): Dataset {
  return located(lake, entity);
}

/**
 * A table of the embedded warehouse. No convention names DuckDB yet; this follows the one for
 * databases: the database in the namespace (its file), `{database}.{schema}.{table}` as the name
 * (DuckDB calls a file's database after the file's name without extension).
 */
export function warehouseDataset(databaseFile: string, table: string): Dataset {
  const database = (databaseFile.split('/').pop() ?? 'warehouse').replace(/\.[^.]*$/, '');
  return { namespace: `duckdb://${databaseFile}`, name: `${database}.main.${table}` };
}
