/** Where the embedded warehouse lives: one DuckDB file in the state folder. */
import { join } from 'node:path';

export const WAREHOUSE_FILE = 'warehouse.duckdb';

export function warehouseFile(stateDir: string): string {
  return join(stateDir, WAREHOUSE_FILE);
}
