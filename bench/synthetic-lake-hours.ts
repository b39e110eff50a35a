/**
 * Lake hours written directly by DuckDB `COPY … PARTITION_BY`, in the lake's exact layout and
 * schema, so a month of history costs seconds instead of 50 GB of JSON through the pipeline:
 * `<entity>/date=YYYY-MM-DD/hour=HH/part-00000.parquet`, the entity's columns in order
 * (strings, TIMESTAMPTZ as the pipeline writes them: INT64 micros adjusted to UTC, doubles) then
 * `source_object` and `source_line` (BIGINT), ZSTD, the pipeline's row-group size. Each hour is
 * written into a scratch folder and renamed into the lake, as a run publishes it.
 *
 * The fleet: `vehicles` shuttles of two organizations (ids unique within each; the same fleet
 * every hour), each registering at the hour's start, reporting a smoothly moving location every
 * `everySeconds`, and deregistering at its end; three operating periods a hour, ids unique per
 * hour (`op_2019-06-01T15_1`), alternating between the organizations, each 20 minutes long.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDb } from '../src/duckdb/open-duckdb.js';
import { sqlString } from '../src/duckdb/sql-string.js';
import { ROW_GROUP_ROWS } from '../src/formats/parquet/duckdb-parquet-writer.js';

export interface Fleet {
  readonly vehicles: number;
  readonly everySeconds: number;
}

/** The first hour of the synthetic history. */
export const FIRST_HOUR = Date.UTC(2019, 5, 1, 0);

export function rowsPerHour(fleet: Fleet): { vehicle: number; operating_period: number } {
  return { vehicle: fleet.vehicles * Math.ceil(3600 / fleet.everySeconds), operating_period: 3 };
}

function hoursSql(from: number, count: number): string {
  return `SELECT h, TIMESTAMPTZ '2019-06-01 00:00:00+00' + to_hours(h) AS hour_start FROM range(${from}, ${from + count}) t(h)`;
}

const PARTITION = `strftime(hour_start, '%Y-%m-%d') AS date, strftime(hour_start, '%H') AS hour`;

function vehicleSql(from: number, count: number, fleet: Fleet): string {
  const last = Math.ceil(3600 / fleet.everySeconds) - 1;
  return `
    WITH hours AS (${hoursSql(from, count)}),
    points AS (
      SELECT h, hour_start, v, k, k * ${fleet.everySeconds} AS s,
             hour_start + to_milliseconds(k * ${fleet.everySeconds} * 1000 + v) AS point_at,
             CASE WHEN v % 2 = 0 THEN 'org-a' ELSE 'org-b' END AS organization_id
      FROM hours, range(${fleet.vehicles}) vs(v), range(${last + 1}) ks(k)
    )
    SELECT CASE WHEN k = 0 THEN 'register' WHEN k = ${last} THEN 'deregister' ELSE 'update' END AS event,
           point_at AS event_at, organization_id,
           printf('veh-%s-%04d', organization_id, v // 2) AS vehicle_id,
           round(52.525 + 0.07 * sin((h * 3600 + s) / 900.0 + v), 6) AS lat,
           round(13.4 + 0.14 * cos((h * 3600 + s) / 1100.0 + v * 1.7), 6) AS lng,
           point_at AS location_at,
           printf('%s-%d-%d-events.json', strftime(hour_start, '%Y-%m-%d-%H'), s // 60, s % 60) AS source_object,
           CAST(v + 1 AS BIGINT) AS source_line,
           ${PARTITION}
    FROM points`;
}

function periodSql(from: number, count: number): string {
  return `
    WITH hours AS (${hoursSql(from, count)})
    SELECT 'create' AS event, hour_start + to_seconds(k * 60) AS event_at,
           CASE WHEN k % 2 = 0 THEN 'org-a' ELSE 'org-b' END AS organization_id,
           printf('op_%s_%d', strftime(hour_start, '%Y-%m-%dT%H'), k) AS period_id,
           hour_start + to_seconds(k * 900) AS start_at,
           hour_start + to_seconds(k * 900 + 1200) AS finish_at,
           printf('%s-%d-0-events.json', strftime(hour_start, '%Y-%m-%d-%H'), k) AS source_object,
           CAST(1 AS BIGINT) AS source_line,
           ${PARTITION}
    FROM hours, range(1, 4) ks(k)`;
}

/** Writes hours `from` … `from + count - 1` (counted from FIRST_HOUR) into the lake. */
export async function writeLakeHours(lake: string, scratch: string, from: number, count: number, fleet: Fleet): Promise<void> {
  const connection = await openDuckDb();
  try {
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    for (const [entity, sql] of [
      ['vehicle', vehicleSql(from, count, fleet)],
      ['operating_period', periodSql(from, count)],
    ] as const) {
      const out = join(scratch, entity);
      await connection.run(
        `COPY (${sql}) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, PARTITION_BY (date, hour), FILENAME_PATTERN 'part-0000{i}')`,
      );
      // Published as a run publishes: each hour's folder renamed into place.
      for (const date of await readdir(out)) {
        await mkdir(join(lake, entity, date), { recursive: true });
        for (const hour of await readdir(join(out, date))) {
          const target = join(lake, entity, date, hour);
          if (existsSync(target)) await rm(target, { recursive: true });
          await rename(join(out, date, hour), target);
        }
      }
    }
  } finally {
    connection.closeSync();
    await rm(scratch, { recursive: true, force: true });
  }
}
