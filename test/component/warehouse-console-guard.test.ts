/**
 * The warehouse as the API reads it, against a warehouse built from a really run hour: the SQL
 * console takes one statement DuckDB's own parser calls SELECT (the settings alone let COPY TO
 * and ATTACH write inside the lake), runs it at most a bounded time and answers at most 1,000
 * rows; operating periods, and vehicle tracks thinned under a cap with each vehicle's ends kept.
 */
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_TRACK_POINTS, operatingPeriods, querySql, SQL_MAX_ROWS, vehicleTracks } from '../../src/app/warehouse.js';
import { UserError } from '../../src/errors/user-error.js';
import { openEmbeddedWarehouse } from '../../src/warehouse/embedded-warehouse-registry.js';
import { listFiles, runCli, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';

let lake: string;
let state: string;
let vehicleRows: number;

beforeAll(async () => {
  const source = await tempDir();
  lake = await tempDir();
  state = `${lake}-state`;
  expect((await runCli(['generate', '--out', source, '--hour', SAMPLE_HOUR, '--vehicles', '30'])).code).toBe(0);
  const run = await runCli(['run', '--source', source, '--lake', lake, '--state', state, '--hour', SAMPLE_HOUR, '--layout', 'flat', '--json']);
  expect(run.code).toBe(0);
  vehicleRows = (JSON.parse(run.stdout) as { events: { vehicle: number } }).events.vehicle;
  expect((await runCli(['warehouse', 'build', '--lake', lake, '--state', state])).code).toBe(0);
}, 120_000);

async function refusal(sql: string): Promise<string> {
  try {
    await querySql(state, sql);
  } catch (err) {
    expect(err, sql).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error(`${sql} was answered`);
}

describe('the SQL console', () => {
  it('refuses every write, setting, file read outside the lake and way around the parser, and leaves no file behind', async () => {
    await symlink('/etc/passwd', join(lake, 'passwd.csv'));
    await symlink(join(state, 'eventlake.db'), join(lake, 'state.db'));
    const before = [...(await listFiles(lake)), ...(await listFiles(state))].sort();
    const writes = [
      `COPY (SELECT 1 AS a) TO '${lake}/written.parquet'`,
      `COPY (SELECT 1 AS a) TO '${state}/warehouse.duckdb.tmp/written.csv'`,
      `ATTACH '${lake}/z.db' AS z`,
      `EXPLAIN ANALYZE COPY (SELECT 1 AS a) TO '${lake}/explained.csv'`,
      'CREATE TABLE x (a INTEGER)',
      'CREATE OR REPLACE TEMP VIEW v AS SELECT 1',
      'INSERT INTO dim_vehicle SELECT * FROM dim_vehicle',
      'UPDATE dim_vehicle SET vehicle_id = NULL',
      `SELECT 1; COPY (SELECT 1) TO '${lake}/second.csv'`,
      `SELECT 1; ATTACH '${lake}/second.db'`,
      'SET enable_external_access = true',
      'RESET allowed_directories',
      "PRAGMA memory_limit = '1GB'",
      'CALL pragma_version()',
      `FROM query('COPY (SELECT 1) TO ''${lake}/inner.csv''')`,
      'PIVOT dim_vehicle ON vehicle_id USING count(*)',
      'INSTALL httpfs',
      'BEGIN TRANSACTION',
      'EXPORT DATABASE \'/tmp/exported\'',
    ];
    for (const sql of writes) {
      const message = await refusal(sql);
      expect(message, sql).toMatch(/^the warehouse refused the query: /);
      expect(message, sql).not.toContain('\n');
    }
    expect(await refusal(`COPY (SELECT 1 AS a) TO '${lake}/written.parquet'`)).toBe('the warehouse refused the query: only reading is allowed here: DuckDB parses this as COPY, not SELECT');
    expect(await refusal(`ATTACH '${lake}/z.db' AS z`)).toBe('the warehouse refused the query: only reading is allowed here: DuckDB parses this as ATTACH, not SELECT');
    expect(await refusal(`SELECT 1; COPY (SELECT 1) TO '${lake}/second.csv'`)).toBe('the warehouse refused the query: it holds 2 statements; send one at a time');
    // EXPLAIN is refused too: EXPLAIN ANALYZE is the same statement type, and runs what it explains.
    expect(await refusal('EXPLAIN SELECT 1')).toMatch(/DuckDB parses this as EXPLAIN, not SELECT \(ask for the plan with the explain option instead\)$/);

    const reads = [
      "SELECT * FROM read_csv('/etc/passwd')",
      `SELECT * FROM read_csv('${lake}/passwd.csv')`,
      `SELECT * FROM read_text('${state}/eventlake.db')`,
      `SELECT * FROM read_blob('${lake}/state.db')`,
      `SELECT * FROM read_blob('${lake}/../${state.split('/').at(-1) ?? ''}/eventlake.db')`,
      "SELECT * FROM glob('/etc/*')",
      'SELECT * FROM duckdb_secrets()',
      "SELECT * FROM read_parquet('https://example.com/x.parquet')",
    ];
    for (const sql of reads) expect(await refusal(sql), sql).toMatch(/^the warehouse refused the query: [^\n]*(Permission Error|disabled)/);
    for (const sql of ['', '  ;  ', '-- nothing', 'SELEC 1', "SELECT '"]) expect(await refusal(sql), sql).toMatch(/^the warehouse refused the query: /);

    expect([...(await listFiles(lake)), ...(await listFiles(state))].sort()).toEqual(before);
  });

  it('answers SELECTs in their forms, the lake tables included, with columns, rows and timing', async () => {
    const counted = await querySql(state, "SELECT count(*) AS n FROM lake.vehicle WHERE date = DATE '2019-06-01' AND hour = 15;");
    expect(counted).toMatchObject({ columns: ['n'], rows: [{ n: String(vehicleRows) }], truncated: false, ms: expect.any(Number) });
    expect((await querySql(state, 'WITH v AS (SELECT vehicle_id FROM dim_vehicle) SELECT count(*) AS n FROM v')).rows).toEqual([{ n: '30' }]);
    expect((await querySql(state, 'FROM dim_vehicle SELECT count(*) AS n')).rows).toEqual([{ n: '30' }]);
    expect((await querySql(state, 'SHOW TABLES')).rows).toContainEqual({ name: 'fact_vehicle_location' });
    expect((await querySql(state, `SELECT count(*) AS n FROM read_parquet('${lake}/vehicle/*/*/*.parquet')`)).rows).toEqual([{ n: String(vehicleRows) }]);
  });

  it(`answers at most ${SQL_MAX_ROWS} rows and says when there were more`, async () => {
    const many = await querySql(state, 'SELECT range AS i FROM range(5000)');
    expect(many.rows).toHaveLength(SQL_MAX_ROWS);
    expect(many.truncated).toBe(true);
    expect(many.rows.at(-1)).toEqual({ i: String(SQL_MAX_ROWS - 1) });
    const exact = await querySql(state, `SELECT range AS i FROM range(${SQL_MAX_ROWS})`);
    expect(exact).toMatchObject({ truncated: false });
    expect(exact.rows).toHaveLength(SQL_MAX_ROWS);
    expect(await querySql(state, 'SELECT 1 AS a WHERE false')).toMatchObject({ columns: ['a'], rows: [], truncated: false });
  });

  it('stops a query that runs too long, in one sentence, and reads on after it', async () => {
    const reader = await (await openEmbeddedWarehouse()).openReader(state);
    try {
      const started = Date.now();
      await expect(reader.read('SELECT sum(hash(i)) AS s FROM range(100000000000) t(i)', { maxRows: 10, timeoutMs: 300, maxBytes: Number.POSITIVE_INFINITY })).rejects.toThrow(
        new UserError('the query ran longer than the SQL console allows (300 ms) and was stopped: ask for less (fewer dates and hours, fewer rows)'),
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await reader.read('SELECT count(*) AS n FROM dim_vehicle', { maxRows: 10, timeoutMs: 5_000, maxBytes: 1024 })).rows).toEqual([{ n: '30' }]);
    } finally {
      reader.close();
    }
  });

  it('keeps eventlake sql printing every row', async () => {
    const result = await runCli(['sql', 'SELECT range AS i FROM range(1500)', '--json', '--state', state]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(1500);
  });
});

describe('operating periods and vehicle tracks', () => {
  it('lists the periods newest first, as dim_operating_period holds them', async () => {
    const periods = await operatingPeriods(state);
    const held = (await querySql(state, "SELECT organization_id, period_id, strftime(start_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS start FROM dim_operating_period ORDER BY start_at DESC, period_id, organization_id")).rows;
    expect(periods.map((p) => [p.organization_id, p.period_id, p.start])).toEqual(held.map((r) => [r['organization_id'], r['period_id'], r['start']]));
    expect(periods.length).toBeGreaterThan(0);
    for (const p of periods) expect(Date.parse(p.finish)).toBeGreaterThanOrEqual(Date.parse(p.start));
  });

  it("draws every located position of a period under the cap, and thins a big one evenly to the cap with each vehicle's ends kept", async () => {
    const [period] = await operatingPeriods(state);
    const id = period?.period_id ?? '';
    const org = period?.organization_id ?? '';
    const inPeriod = `FROM fact_vehicle_location f JOIN dim_vehicle v USING (vehicle_key) JOIN dim_operating_period p ON f.location_at BETWEEN p.start_at AND p.finish_at AND v.organization_id = p.organization_id WHERE p.period_id = '${id}' AND p.organization_id = '${org}'`;
    const total = Number((await querySql(state, `SELECT count(*) AS n ${inPeriod}`)).rows[0]?.['n']);
    const full = await vehicleTracks(state, id, MAX_TRACK_POINTS, org);
    expect(full).toMatchObject({ period_id: id, organization_id: org });
    expect(full.vehicles.reduce((n, v) => n + v.points.length, 0)).toBe(total);
    const ends = (await querySql(state, `SELECT vehicle_id, arg_min([f.lng, f.lat], f.location_at) AS first, arg_max([f.lng, f.lat], f.location_at) AS last ${inPeriod} GROUP BY vehicle_id ORDER BY vehicle_id`)).rows;
    expect(full.vehicles.map((v) => v.vehicle_id)).toEqual(ends.map((e) => e['vehicle_id']));

    for (const cap of [1000, 200]) {
      const thinned = await vehicleTracks(state, id, cap, org);
      const points = thinned.vehicles.reduce((n, v) => n + v.points.length, 0);
      expect(points).toBeLessThanOrEqual(cap);
      expect(points).toBeGreaterThan(cap / 2);
      expect(thinned.vehicles.map((v) => v.vehicle_id)).toEqual(full.vehicles.map((v) => v.vehicle_id));
      for (const [i, vehicle] of thinned.vehicles.entries()) {
        expect(vehicle.points[0]).toEqual(ends[i]?.['first']);
        expect(vehicle.points.at(-1)).toEqual(ends[i]?.['last']);
      }
      expect(thinned.bounds?.minLng).toBeGreaterThanOrEqual(full.bounds?.minLng ?? Infinity);
    }
    // Fewer points allowed than vehicles have ends: still at most the cap.
    expect((await vehicleTracks(state, id, 7, org)).vehicles.reduce((n, v) => n + v.points.length, 0)).toBe(7);
  });

  it("keeps a period id two organizations use apart: each one's tracks hold its own vehicles only, and the id alone is refused naming both", async () => {
    const periods = await operatingPeriods(state);
    const shared = periods.find((p) => periods.some((q) => q.period_id === p.period_id && q.organization_id !== p.organization_id));
    expect(shared, 'the generated feed reuses a period id in its two organizations').toBeDefined();
    const id = shared?.period_id ?? '';
    const owners = periods.filter((p) => p.period_id === id).map((p) => p.organization_id).sort();
    await expect(vehicleTracks(state, id)).rejects.toThrow(`operating period "${id}" is used by 2 organizations (${owners.join(', ')}): name one with organization=`);
    for (const org of owners) {
      const tracks = await vehicleTracks(state, id, MAX_TRACK_POINTS, org);
      const own = (await querySql(state, `SELECT vehicle_id FROM dim_vehicle WHERE organization_id = '${org}'`)).rows.map((r) => r['vehicle_id']);
      expect(tracks.organization_id).toBe(org);
      expect(tracks.vehicles.length).toBeGreaterThan(0);
      for (const vehicle of tracks.vehicles) expect(own).toContain(vehicle.vehicle_id);
    }
    await expect(vehicleTracks(state, id, MAX_TRACK_POINTS, 'no-such-org')).rejects.toThrow(`no operating period "${id}" of organization "no-such-org" in the warehouse`);
  });

  it('refuses an unknown period in one sentence, whatever its text', async () => {
    for (const id of ['nope', "op_1' OR '1'='1", '', '\u0000', 'x'.repeat(10_000)]) {
      await expect(vehicleTracks(state, id)).rejects.toThrow(UserError);
    }
    await expect(vehicleTracks(state, "op_1' OR '1'='1")).rejects.toThrow(`no operating period "op_1' OR '1'='1" in the warehouse`);
  });
});
