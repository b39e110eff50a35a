/**
 * Reading the embedded warehouse: the file opened read-only, then the connection locked down by
 * DuckDB's own settings, not by looking at the SQL: no file outside the lake can be read or
 * written (`enable_external_access = false` with the lake as the one allowed directory), and the
 * configuration is locked so a query cannot undo it. Builds write another file and swap it in,
 * so a reader never waits for a writer.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../duckdb/open-duckdb.js';
import { UserError } from '../../errors/user-error.js';
import type { WarehouseReader } from '../embedded-warehouse.js';
import { WAREHOUSE_FILE } from './duckdb-warehouse.js';

/** DuckDB's message without its category prefix's stack: one sentence for the person. */
function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

export async function openWarehouseReader(stateDir: string): Promise<WarehouseReader> {
  const database = join(stateDir, WAREHOUSE_FILE);
  if (!existsSync(database)) throw new UserError(`no warehouse in ${stateDir} yet: run eventlake warehouse build first`);
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false' });
  const connection: DuckDBConnection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const [meta] = (await connection.runAndReadAll(`SELECT lake FROM _warehouse`)).getRowObjectsJson();
  const lake = String(meta?.['lake'] ?? '');
  await connection.run(`SET allowed_directories = [${sqlString(`${lake}/`)}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
  return {
    async query(sql) {
      try {
        const result = await connection.runAndReadAll(sql);
        return { columns: result.columnNames(), rows: result.getRowObjectsJson() as Record<string, unknown>[] };
      } catch (err) {
        throw new UserError(`the warehouse refused the query: ${oneLine(err)}`);
      }
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
