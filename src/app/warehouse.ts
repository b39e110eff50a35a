/** The embedded warehouse as the CLI (and later the HTTP API) uses it: build it, ask it questions. */
import { existsSync } from 'node:fs';
import type { PeriodList, TracksView } from './api-views.js';
import { UserError } from '../errors/user-error.js';
import { defaultRegistry } from '../events/entity-registry.js';
import { formatLocation, parseLocation } from '../storage/location.js';
import { ensureWritableFolder } from '../storage/writable-folder.js';
import { openLakeStorage } from '../storage/lake-storage-registry.js';
import { dirname } from 'node:path';
import { WarehouseBuildLineage } from '../lineage/warehouse-build-lineage.js';
import { openStateStore } from '../orchestration/state-store-registry.js';
import { upstreamOf, type LineageEdge, type LoadedPartition, type PartitionWriter } from '../warehouse/table-lineage.js';
import type { ReadAnswer, WarehouseBuildReport, WarehouseReader } from '../warehouse/embedded-warehouse.js';
import { explainReport, type ExplainReport, type PlanNode } from '../warehouse/explain-report.js';
import { collectConsoleQuery, explainConsoleQuery, streamConsoleQuery, type RowSink } from '../warehouse/console/console-process.js';
import { openEmbeddedWarehouse } from '../warehouse/embedded-warehouse-registry.js';
import { modelsDir } from '../warehouse/model-files.js';
import { loadModelsCached } from '../warehouse/model-cache.js';

export async function buildWarehouse(stateDir: string, lake: string, onWait?: (holder: string) => void, fullRefresh = false): Promise<WarehouseBuildReport> {
  // A lake in a bucket is read through a local mirror of its published hours (the S3 adapter keeps it).
  const lakeRoot = await (await openLakeStorage(parseLocation(lake, 'lake'))).readableFolder(stateDir);
  if (!existsSync(lakeRoot)) throw new UserError(`lake folder ${lakeRoot} does not exist: run an hour into it first`);
  await ensureWritableFolder(stateDir, 'state folder');
  const warehouse = await openEmbeddedWarehouse();
  const models = await loadModelsCached(modelsDir(), stateDir);
  // OpenLineage: the build's START, then its steps and COMPLETE, or its FAIL (see warehouse-build-lineage.ts).
  const lineage = await WarehouseBuildLineage.start(stateDir, parseLocation(lake, 'lake'));
  const report = await warehouse.build({ stateDir, lakeRoot, models, fullRefresh, ...(onWait ? { onWait } : {}) }).catch(async (err: unknown) => {
    await lineage.fail(err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err));
    throw err;
  });
  await lineage.complete(report, models);
  return report;
}

export interface TableLineage {
  readonly table: string;
  readonly upstream: readonly LineageEdge[];
}

/** Where a table's rows come from: models, internal tables, lake partitions, runs and their sources. */
export async function tableLineage(stateDir: string, table: string): Promise<TableLineage> {
  const models = await (await import('../warehouse/model-graph.js')).loadModels(modelsDir());
  const entities = defaultRegistry().entities.map((e) => e.name);
  if (!models.some((m) => m.name === table) && !entities.includes(table)) {
    throw new UserError(`no table ${table} in the warehouse; its tables are ${[...entities, ...models.map((m) => m.name)].join(', ')}`);
  }
  const reader = await (await openEmbeddedWarehouse()).openReader(stateDir);
  let partitions: LoadedPartition[];
  try {
    partitions = (await reader.query('SELECT entity, key FROM _loaded_partitions ORDER BY key')).rows.map((r) => ({ entity: String(r['entity']), key: String(r['key']) }));
  } finally {
    reader.close();
  }
  const state = await openStateStore({ kind: 'sqlite', dir: stateDir });
  const writers: PartitionWriter[] = [];
  try {
    // Newest first: the run that last published a partition is the one whose rows are loaded.
    for (const run of await state.runs.list({ status: 'success' })) {
      for (const output of run.summary?.outputs ?? []) {
        const partition = dirname(output.key);
        if (!writers.some((w) => w.partition === partition)) writers.push({ partition, runId: run.id, source: formatLocation(run.request.source), objects: run.summary?.objects ?? 0 });
      }
    }
  } finally {
    state.close();
  }
  return { table, upstream: upstreamOf(table, models, partitions, writers) };
}

export interface AvgDistance {
  readonly organization_id: string;
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
      `SELECT organization_id, period_id, CAST(vehicles AS INTEGER) AS vehicles, CAST(avg_km AS DOUBLE) AS avg_km, CAST(total_km AS DOUBLE) AS total_km FROM bi_avg_distance ${where} ORDER BY period_id, organization_id`,
    );
    return rows as unknown as AvgDistance[];
  } finally {
    reader.close();
  }
}

/** The most rows a query answers (the API and the UI show them all), their size as text, and how long it may run. */
export const SQL_MAX_ROWS = 1000;
export const SQL_MAX_BYTES = 16 * 1024 * 1024;
export const SQL_TIMEOUT_MS = 30_000;

export interface SqlResult extends ReadAnswer {
  readonly ms: number;
}

/**
 * A person's read-only query, answered whole (the API): one statement the parser calls a SELECT,
 * run in a process of its own ended at the time limit, at most `maxRows` rows, refused once
 * they pass `maxBytes` as JSON text. DuckDB itself refuses files outside the lake.
 */
export async function querySql(
  stateDir: string,
  sql: string,
  limits: { maxRows: number; maxBytes: number; timeoutMs?: number } = { maxRows: SQL_MAX_ROWS, maxBytes: SQL_MAX_BYTES },
): Promise<SqlResult> {
  const started = performance.now();
  const answer = await collectConsoleQuery(stateDir, sql, { maxRows: limits.maxRows, maxBytes: limits.maxBytes, timeoutMs: limits.timeoutMs ?? SQL_TIMEOUT_MS });
  return { ...answer, ms: Math.round(performance.now() - started) };
}

export type { RowSink } from '../warehouse/console/console-process.js';

/** The same query with its rows handed to `sink` as they come (the CLI prints them): the sink stops it. */
export async function streamSql(stateDir: string, sql: string, sink: RowSink, timeoutMs = SQL_TIMEOUT_MS): Promise<void> {
  await streamConsoleQuery(stateDir, sql, { timeoutMs }, sink);
}

/** Columns only one entity has: they tell which entity a Parquet scan reads. */
function identifyingColumns(): Map<string, string> {
  const owners = new Map<string, Set<string>>();
  for (const entity of defaultRegistry().entities) {
    for (const column of entity.columns) owners.set(column.name, (owners.get(column.name) ?? new Set()).add(entity.name));
  }
  return new Map([...owners].filter(([, set]) => set.size === 1).map(([column, set]) => [column, [...set][0] as string]));
}

/**
 * The query's plan and what it reads of the lake: files and partitions, read out of total. The
 * plan comes from the console's process (so it has the console's checks and time limit); the
 * partitions read are counted from the plan's structure, never by running its text.
 */
export async function explainQuery(stateDir: string, sql: string, timeoutMs = SQL_TIMEOUT_MS): Promise<ExplainReport> {
  const { plan, lakeFiles, sources } = await explainConsoleQuery(stateDir, sql, timeoutMs);
  return explainReport(Array.isArray(plan) ? (plan as PlanNode[]) : [], lakeFiles, sources, identifyingColumns());
}

/** At most this many points in all come back for one period's tracks, thinned evenly per vehicle. */
export const MAX_TRACK_POINTS = 20_000;

const quoted = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** Operating periods of the built warehouse, newest start first. */
export async function operatingPeriods(stateDir: string): Promise<PeriodList['periods']> {
  const reader = await (await openEmbeddedWarehouse()).openReader(stateDir);
  try {
    const { rows } = await reader.query(
      `SELECT organization_id, period_id, strftime(start_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS start, strftime(finish_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS finish
       FROM dim_operating_period ORDER BY start_at DESC, period_id, organization_id`,
    );
    return rows.map((r) => ({ organization_id: String(r['organization_id']), period_id: String(r['period_id']), start: String(r['start']), finish: String(r['finish']) }));
  } finally {
    reader.close();
  }
}

/** The period a person named, as its key: one sentence when there is none, or when the id alone names periods of several organizations. */
async function periodKey(reader: WarehouseReader, periodId: string, organizationId: string | undefined): Promise<{ key: string; organization: string }> {
  const named = `operating period ${JSON.stringify(periodId.slice(0, 80))}`;
  const org = organizationId === undefined ? '' : ` AND organization_id = ${quoted(organizationId)}`;
  const { rows } = await reader.query(`SELECT CAST(period_key AS VARCHAR) AS k, organization_id FROM dim_operating_period WHERE period_id = ${quoted(periodId)}${org} ORDER BY organization_id`);
  if (rows.length === 0) {
    throw new UserError(`no ${named}${organizationId === undefined ? '' : ` of organization ${JSON.stringify(organizationId.slice(0, 80))}`} in the warehouse`);
  }
  if (rows.length > 1) {
    throw new UserError(`${named} is used by ${rows.length} organizations (${rows.map((r) => String(r['organization_id'])).join(', ')}): name one with organization=`);
  }
  return { key: String(rows[0]?.['k']), organization: String(rows[0]?.['organization_id']) };
}

/**
 * Each vehicle's positions inside the period, in time order, as [lng, lat]: what the UI draws.
 * Only the period's own organization's vehicles: another organization's fleet may drive at the same time.
 */
export async function vehicleTracks(stateDir: string, periodId: string, maxPoints = MAX_TRACK_POINTS, organizationId?: string): Promise<TracksView> {
  const reader = await (await openEmbeddedWarehouse()).openReader(stateDir);
  try {
    const period = await periodKey(reader, periodId, organizationId);
    const { rows } = await reader.query(
      `WITH p AS (SELECT start_at, finish_at, organization_id FROM dim_operating_period WHERE CAST(period_key AS VARCHAR) = ${quoted(period.key)}),
       points AS (
         SELECT v.vehicle_id, f.location_at, f.lng, f.lat,
                row_number() OVER (PARTITION BY f.vehicle_key ORDER BY f.location_at, f.lat, f.lng) AS n,
                count(*) OVER (PARTITION BY f.vehicle_key) AS of_vehicle,
                count(*) OVER () AS of_all,
                count(DISTINCT f.vehicle_key) OVER () AS vehicles
         FROM fact_vehicle_location AS f
         JOIN p ON f.location_at BETWEEN p.start_at AND p.finish_at
         JOIN dim_vehicle AS v ON v.vehicle_key = f.vehicle_key AND v.organization_id = p.organization_id
       )
       -- Every step-th point of each vehicle, and its last: at most of_all / step + 2 per vehicle,
       -- so the step leaves room for two extra points per vehicle within the cap.
       SELECT vehicle_id, lng, lat FROM points
       WHERE (n - 1) % CAST(ceil(of_all / greatest(${maxPoints} - 2 * vehicles, 1)) AS BIGINT) = 0 OR n = of_vehicle
       ORDER BY vehicle_id, location_at, lat, lng
       -- More vehicles than half the cap: their first and last points alone would pass it.
       LIMIT ${maxPoints}`,
    );
    const vehicles = new Map<string, [number, number][]>();
    for (const row of rows) {
      const id = String(row['vehicle_id']);
      let points = vehicles.get(id);
      if (!points) vehicles.set(id, (points = []));
      points.push([Number(row['lng']), Number(row['lat'])]);
    }
    let bounds: TracksView['bounds'] = null;
    for (const [lng, lat] of [...vehicles.values()].flat()) {
      bounds = bounds
        ? { minLng: Math.min(bounds.minLng, lng), minLat: Math.min(bounds.minLat, lat), maxLng: Math.max(bounds.maxLng, lng), maxLat: Math.max(bounds.maxLat, lat) }
        : { minLng: lng, minLat: lat, maxLng: lng, maxLat: lat };
    }
    return { organization_id: period.organization, period_id: periodId, bounds, vehicles: [...vehicles].map(([vehicle_id, points]) => ({ vehicle_id, points })) };
  } finally {
    reader.close();
  }
}
