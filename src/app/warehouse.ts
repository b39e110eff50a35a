/** The embedded warehouse as the CLI (and later the HTTP API) uses it: build it, ask it questions. */
import { existsSync } from 'node:fs';
import { UserError } from '../errors/user-error.js';
import { defaultRegistry } from '../events/entity-registry.js';
import { ensureWritableFolder } from '../storage/writable-folder.js';
import type { WarehouseBuildReport } from '../warehouse/embedded-warehouse.js';
import { lakeScans, type ExplainReport, type PlanNode } from '../warehouse/explain-report.js';
import { openEmbeddedWarehouse } from '../warehouse/embedded-warehouse-registry.js';
import { modelsDir } from '../warehouse/model-files.js';
import { loadModels } from '../warehouse/model-graph.js';

export async function buildWarehouse(stateDir: string, lakeRoot: string, onWait?: (holder: string) => void): Promise<WarehouseBuildReport> {
  if (!existsSync(lakeRoot)) throw new UserError(`lake folder ${lakeRoot} does not exist: run an hour into it first`);
  await ensureWritableFolder(stateDir, 'state folder');
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

/** Columns only one entity has: they tell which entity a Parquet scan reads. */
function identifyingColumns(): Map<string, string> {
  const owners = new Map<string, Set<string>>();
  for (const entity of defaultRegistry().entities) {
    for (const column of entity.columns) owners.set(column.name, (owners.get(column.name) ?? new Set()).add(entity.name));
  }
  return new Map([...owners].filter(([, set]) => set.size === 1).map(([column, set]) => [column, [...set][0] as string]));
}

/** The query's plan and what it reads of the lake: files and partitions, read out of total. */
export async function explainQuery(stateDir: string, sql: string): Promise<ExplainReport> {
  const reader = await (await openEmbeddedWarehouse()).openReader(stateDir);
  try {
    const { rows } = await reader.query(`EXPLAIN (FORMAT JSON) ${sql}`);
    const plan = JSON.parse(String(rows[0]?.['explain_value'] ?? '[]')) as PlanNode[];
    const partitions = (await reader.query('SELECT entity, date, hour, key FROM _loaded_partitions')).rows;
    const fileCounts = (await reader.query('SELECT entity, sum(len(string_split(signature, \'|\'))) AS files FROM _loaded_partitions GROUP BY entity')).rows;
    const filesOf = new Map(fileCounts.map((r) => [String(r['entity']), Number(r['files'])]));
    const partitionsOf = (entity: string | undefined): number => partitions.filter((p) => entity === undefined || p['entity'] === entity).length;
    let filesRead = 0;
    let filesTotal = 0;
    let partitionsRead = 0;
    let partitionsTotal = 0;
    const unpruned: string[] = [];
    for (const scan of lakeScans(plan, identifyingColumns())) {
      const total = scan.filesTotal ?? (scan.entity ? (filesOf.get(scan.entity) ?? 0) : [...filesOf.values()].reduce((a, b) => a + b, 0));
      const read = scan.filesRead ?? total;
      filesRead += read;
      filesTotal += total;
      partitionsTotal += partitionsOf(scan.entity);
      if (scan.fileFilters && scan.entity) {
        const { rows: matched } = await reader.query(
          `SELECT count(*) AS n FROM _loaded_partitions WHERE entity = '${scan.entity}' AND (${scan.fileFilters})`,
        );
        partitionsRead += Number(matched[0]?.['n'] ?? 0);
      } else {
        partitionsRead += partitionsOf(scan.entity);
      }
      if (read === total && total > 1) unpruned.push(scan.entity ? `lake.${scan.entity}` : 'a lake table');
    }
    const warning =
      unpruned.length > 0 ? `${unpruned.join(' and ')} ${unpruned.length === 1 ? 'is' : 'are'} read whole: filter on date and hour to read only the partitions you need` : null;
    return { plan, files_read: filesRead, files_total: filesTotal, partitions_read: partitionsRead, partitions_total: partitionsTotal, warning };
  } finally {
    reader.close();
  }
}
