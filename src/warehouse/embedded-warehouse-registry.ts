/** Opens the embedded warehouse (DuckDB), loading it on first use: only warehouse commands pay for it. */
import type { EmbeddedWarehouse } from './embedded-warehouse.js';

export async function openEmbeddedWarehouse(): Promise<EmbeddedWarehouse> {
  const [{ buildDuckDbWarehouse }, { openWarehouseReader }] = await Promise.all([import('./duckdb/duckdb-warehouse.js'), import('./duckdb/warehouse-reader.js')]);
  return { build: buildDuckDbWarehouse, openReader: openWarehouseReader };
}
