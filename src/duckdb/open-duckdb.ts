/** Opens DuckDB the way eventlake always wants it: UTC, and never downloading extensions. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from './duckdb-api.js';

export async function openDuckDb(path = ':memory:'): Promise<DuckDBConnection> {
  // Everything eventlake uses (parquet, json, icu) is built in; a download would be a bug.
  const instance = await duckdb.DuckDBInstance.create(path, { autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  // Set after start-up: the time-zone setting needs the built-in ICU extension loaded first.
  await connection.run("SET TimeZone = 'UTC'");
  return connection;
}
