/**
 * Reading the embedded warehouse: eventlake's own SQL on the console's locked-down, read-only
 * connection (console/console-connection.ts), and a person's query through the SQL console
 * (console/console-process.ts): the kind of statement decided by the parser before anything is
 * prepared, the query run in its own process ended at its time limit. Builds write another file
 * and swap it in, so a reader never waits for a writer.
 */
import { openConsoleConnection } from '../console/console-connection.js';
import { collectConsoleQuery } from '../console/console-process.js';
import { oneLine, refused } from '../console/console-refusal.js';
import { checkConsoleStatement } from '../console/console-statement.js';
import type { WarehouseReader } from '../embedded-warehouse.js';

export async function openWarehouseReader(stateDir: string): Promise<WarehouseReader> {
  const console = await openConsoleConnection(stateDir);
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
    },
  };
}
