/**
 * Reading the embedded warehouse: eventlake's own SQL on the console's locked-down, read-only
 * connection (console/console-connection.ts), and a person's query through the SQL console
 * (console/console-process.ts): the kind of statement decided by the parser before anything is
 * prepared, the query run in its own process ended at its time limit. Builds write another file
 * and swap it in, so a reader never waits for a writer; the file this reader opened is made known
 * to builds in this process, which never write it (warehouse-readers-here.ts).
 */
import { openConsoleConnection } from '../console/console-connection.js';
import { collectConsoleQuery } from '../console/console-process.js';
import { oneLine, refused } from '../console/console-refusal.js';
import { checkConsoleStatement } from '../console/console-statement.js';
import type { WarehouseReader } from '../embedded-warehouse.js';
import { holdForReading } from './warehouse-readers-here.js';

export async function openWarehouseReader(stateDir: string): Promise<WarehouseReader> {
  const hold = holdForReading(stateDir);
  let console: Awaited<ReturnType<typeof openConsoleConnection>>;
  try {
    console = await openConsoleConnection(stateDir);
  } catch (err) {
    hold.release();
    throw err;
  }
  try {
    // DuckDB's own path for it, the link resolved: the file a build here must not write.
    const [opened] = (await console.connection.runAndReadAll('SELECT path FROM duckdb_databases() WHERE database_name = current_database()')).getRows();
    hold.opened(String(opened?.[0] ?? ''));
  } catch (err) {
    console.close();
    hold.release();
    throw err;
  }
  const { connection } = console;
  return {
    async query(sql) {
      try {
        const result = await connection.runAndReadAll(sql);
        return { columns: result.columnNames(), rows: result.getRowObjectsJson() as Record<string, unknown>[] };
      } catch (err) {
        throw refused(oneLine(err));
      }
    },
    async checkReadOnly(sql) {
      await checkConsoleStatement(connection, sql);
    },
    async read(sql, limits) {
      return collectConsoleQuery(stateDir, sql, limits);
    },
    close() {
      console.close();
      hold.release();
    },
  };
}
