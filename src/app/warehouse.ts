/** The embedded warehouse as the CLI (and later the HTTP API) uses it: build it, ask it questions. */
import { existsSync } from 'node:fs';
import { UserError } from '../errors/user-error.js';
import type { WarehouseBuildReport } from '../warehouse/embedded-warehouse.js';
import { openEmbeddedWarehouse } from '../warehouse/embedded-warehouse-registry.js';
import { modelsDir } from '../warehouse/model-files.js';
import { loadModels } from '../warehouse/model-graph.js';

export async function buildWarehouse(stateDir: string, lakeRoot: string, onWait?: (holder: string) => void): Promise<WarehouseBuildReport> {
  if (!existsSync(lakeRoot)) throw new UserError(`lake folder ${lakeRoot} does not exist: run an hour into it first`);
  const warehouse = await openEmbeddedWarehouse();
  return warehouse.build({ stateDir, lakeRoot, models: loadModels(modelsDir()), ...(onWait ? { onWait } : {}) });
}

export interface AvgDistance {
  readonly period_id: string;
  readonly vehicles: number;
  readonly avg_km: number;
  readonly total_km: number;
}

/** The BI answer per operating period, from the built warehouse. */
export async function avgDistance(stateDir: string, periodId?: string): Promise<AvgDistance[]> {
  const reader = await (await openEmbeddedWarehouse()).openReader(stateDir);
  try {
    const where = periodId === undefined ? '' : `WHERE period_id = '${periodId.replaceAll("'", "''")}'`;
    const { rows } = await reader.query(
      `SELECT period_id, CAST(vehicles AS INTEGER) AS vehicles, CAST(avg_km AS DOUBLE) AS avg_km, CAST(total_km AS DOUBLE) AS total_km FROM bi_avg_distance ${where} ORDER BY period_id`,
    );
    return rows as unknown as AvgDistance[];
  } finally {
    reader.close();
  }
}

/** Any read-only query; DuckDB itself refuses writes and files outside the lake. */
export async function querySql(stateDir: string, sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  const reader = await (await openEmbeddedWarehouse()).openReader(stateDir);
  try {
    return await reader.query(sql);
  } finally {
    reader.close();
  }
}
