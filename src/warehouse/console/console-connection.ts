/**
 * The console's connection to the embedded warehouse: the file opened read-only, then locked
 * down by DuckDB's own settings: no file outside the lake can be read or written
 * (`enable_external_access = false` with the lake as the one allowed directory), and the
 * configuration is locked so a query cannot undo it. The allowed folder admits writes too
 * (`COPY … TO '<lake>/x'` was measured to pass), so what a person sends must also be one
 * statement the parser calls a SELECT (console-statement.ts) before anything is prepared.
 */
import { existsSync } from 'node:fs';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { sqlString } from '../../duckdb/sql-string.js';
import { UserError } from '../../errors/user-error.js';
import { warehouseFile } from './warehouse-file.js';

export interface ConsoleConnection {
  readonly connection: DuckDBConnection;
  /** The lake folder the warehouse was built from: the one folder its queries may read. */
  readonly lake: string;
  close(): void;
}

export async function openConsoleConnection(stateDir: string): Promise<ConsoleConnection> {
  const database = warehouseFile(stateDir);
  if (!existsSync(database)) throw new UserError(`no warehouse in ${stateDir} yet: run eventlake warehouse build first`);
  const instance: DuckDBInstance = await duckdb.DuckDBInstance.create(database, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const [meta] = (await connection.runAndReadAll('SELECT lake FROM _warehouse')).getRowObjectsJson();
  const lake = String(meta?.['lake'] ?? '');
  await connection.run(`SET allowed_directories = [${sqlString(`${lake}/`)}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
  return {
    connection,
    lake,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
