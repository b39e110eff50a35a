/**
 * Brings the internal tables (`vehicle`, `operating_period`) up to the lake: reloads the hour
 * partitions whose files changed since this warehouse file last loaded them (its own
 * `_loaded_partitions` says what it holds, so a file several builds behind catches up) and
 * removes those gone from the lake. For the entities in `changesFor`, fills their changes tables
 * (compiled-model.ts): the old rows of every hour replaced or removed, the new rows of every hour
 * loaded. Runs inside the build's transaction.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../duckdb/sql-string.js';
import type { Entity } from '../../events/entity.js';
import type { ModelDialect } from '../model-dialect.js';
import { lakePartitions } from './lake-listing.js';

export interface ChangedHours {
  readonly loaded: string[];
  readonly removed: string[];
  /** Entities with an hour loaded or removed. */
  readonly changed: Set<string>;
}

async function rowsOf(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

export async function loadChangedHours(
  connection: DuckDBConnection,
  lakeRoot: string,
  entities: readonly Entity[],
  dialect: ModelDialect,
  changesFor: ReadonlySet<string>,
): Promise<ChangedHours> {
  await connection.run('CREATE TABLE IF NOT EXISTS _loaded_partitions (key VARCHAR PRIMARY KEY, entity VARCHAR, date DATE, hour INTEGER, signature VARCHAR)');
  const loaded: string[] = [];
  const removed: string[] = [];
  const changed = new Set<string>();
  for (const entity of entities) {
    const table = `main.${entity.name}`;
    const changes = changesFor.has(entity.name) ? dialect.changesTable(entity.name) : null;
    if (changes) await connection.run(`CREATE OR REPLACE TABLE ${changes} AS SELECT * FROM ${table} WHERE false`);
    const keep = async (where: string): Promise<void> => {
      if (changes) await connection.run(`INSERT INTO ${changes} SELECT * FROM ${table} WHERE ${where}`);
    };
    const known = new Map(
      (await rowsOf(connection, `SELECT key, signature FROM _loaded_partitions WHERE entity = ${sqlString(entity.name)}`)).map((r) => [String(r['key']), String(r['signature'])]),
    );
    const current = await lakePartitions(lakeRoot, entity.name);
    for (const p of current) {
      if (known.get(p.key) === p.signature) continue;
      const where = `date = DATE ${sqlString(p.date)} AND hour = ${p.hour}`;
      await keep(where);
      await connection.run(`DELETE FROM ${table} WHERE ${where}`);
      // avsc is loaded only for a lake that has Avro hours (and never for a build with nothing to do).
      if (p.format === 'avro') await (await import('./avro-partition-loader.js')).appendAvroPartition(connection, entity, p.files, p.date, p.hour);
      else await connection.run(`INSERT INTO ${table} SELECT * FROM lake.${entity.name} WHERE ${where}`);
      await keep(where);
      await connection.run(
        `INSERT OR REPLACE INTO _loaded_partitions VALUES (${sqlString(p.key)}, ${sqlString(entity.name)}, DATE ${sqlString(p.date)}, ${p.hour}, ${sqlString(p.signature)})`,
      );
      loaded.push(p.key);
      changed.add(entity.name);
    }
    const present = new Set(current.map((p) => p.key));
    for (const key of known.keys()) {
      if (present.has(key)) continue;
      const [, date, hour] = /date=([\d-]+)\/hour=(\d+)$/.exec(key) ?? [];
      const where = `date = DATE ${sqlString(date ?? '')} AND hour = ${Number(hour)}`;
      await keep(where);
      await connection.run(`DELETE FROM ${table} WHERE ${where}`);
      await connection.run(`DELETE FROM _loaded_partitions WHERE key = ${sqlString(key)}`);
      removed.push(key);
      changed.add(entity.name);
    }
  }
  return { loaded, removed, changed };
}
