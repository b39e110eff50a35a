/**
 * The API's reads against a real `eventlake serve`: a run's detail (with quarantined lines and
 * their reasons), its timeline, the lake's partitions (small files flagged), a dead letter
 * inspected, and the warehouse: the read-only SQL console, the explain report, the BI answer,
 * operating periods and vehicle tracks.
 */
import { existsSync } from 'node:fs';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { type Answer, ask, runEnded, startServed, type Served } from '../helpers/served-cli.js';

const BAD_OBJECT = '2019-06-01-15-07-07-events.json';
let served: Served;
let lake: string;
let runId: string;

beforeAll(async () => {
  const source = await tempDir();
  lake = await tempDir();
  expect((await runCli(['generate', '--out', source, '--hour', SAMPLE_HOUR, '--vehicles', '20'])).code).toBe(0);
  await writeFile(join(source, BAD_OBJECT), ['{"event": "update", "on": "vehicle"', 'not json at all', ''].join('\n'));
  served = await startServed('serve', ['--source', source, '--lake', lake, '--state', `${lake}-state`, '--layout', 'flat', '--workers', '1']);
  const queued = await ask(served.url, '/api/runs', { body: { hour: SAMPLE_HOUR } });
  runId = queued.json.id as string;
  expect(await runEnded(served.url, runId)).toMatchObject({ status: 'success', quarantined: 2 });
  const built = await ask(served.url, '/api/warehouse/build', { method: 'POST', headers: { 'content-type': 'application/json' } });
  expect(built.status).toBe(200);
  // serve rebuilt it after the run already: nothing more to load, but the build answers.
  expect(built.json).toEqual({ loaded: expect.any(Array), seconds: expect.any(Number) });
}, 120_000);

afterAll(async () => {
  await served?.stop();
});

describe('a run in detail', () => {
  it('tells its tasks, attempts, counts per entity, quarantined lines with reasons and log', async () => {
    const { status, json } = await ask(served.url, `/api/runs/${runId}`);
    expect(status).toBe(200);
    expect(json.run).toMatchObject({ id: runId, hour: SAMPLE_HOUR, status: 'success', format: 'parquet', lake, quarantined: 2 });
    expect(json.run.tasks.done).toBe(json.run.tasks.total);
    expect(json.tasks.length).toBeGreaterThan(0);
    expect(json.tasks.every((t: { status: string; attempts: number }) => t.status === 'done' && t.attempts === 1)).toBe(true);
    expect(json.tasks.reduce((n: number, t: { objects: number }) => n + t.objects, 0)).toBe(3601);
    expect(json.attempts.map((a: { outcome: string }) => a.outcome)).not.toContain('running');
    expect(json.attempts.some((a: { kind: string }) => a.kind === 'finish')).toBe(true);
    const vehicle = json.entities.find((e: { entity: string }) => e.entity === 'vehicle');
    expect(vehicle).toMatchObject({ files: 1, rows: json.run.events.vehicle });
    expect(json.entities.map((e: { entity: string }) => e.entity)).not.toContain('_quarantine');
    expect(json.quarantine.total).toBe(2);
    expect(json.quarantine.lines).toEqual([
      expect.objectContaining({ source_object: BAD_OBJECT, source_line: 1, raw: '{"event": "update", "on": "vehicle"', reason: expect.stringMatching(/JSON/i) }),
      expect.objectContaining({ source_object: BAD_OBJECT, source_line: 2, raw: 'not json at all' }),
    ]);
    const messages = json.log.map((l: { message: string }) => l.message);
    expect(messages[0]).toBe('queued (manual)');
    expect(messages.at(-1)).toMatch(/^success/);
    expect(json.log.map((l: { at: string }) => l.at)).toEqual([...json.log.map((l: { at: string }) => l.at)].sort());
  });

  it('answers 404 for an unknown run', async () => {
    for (const path of ['/api/runs/2019-06-01T15-nope', '/api/runs/%00', '/api/runs/nope/timeline']) {
      const answer = await ask(served.url, path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.json.error).toMatch(/^no run /);
    }
  });

  it('counts its events per minute per entity, zero-filled, adding up to its rows', async () => {
    const { status, json } = await ask(served.url, `/api/runs/${runId}/timeline`);
    expect(status).toBe(200);
    const detail = (await ask(served.url, `/api/runs/${runId}`)).json;
    expect(json.minutes.length).toBeGreaterThanOrEqual(50);
    expect(json.minutes[0]).toMatch(/^2019-06-01T\d\d:\d\d:00Z$/);
    for (const series of json.series) {
      expect(series.counts).toHaveLength(json.minutes.length);
      expect(series.counts.reduce((a: number, b: number) => a + b, 0)).toBe(detail.run.events[series.entity]);
    }
  });
});

describe('the warehouse through the API', () => {
  it('answers a query with columns, rows and timing; caps rows at 1,000', async () => {
    const { status, json } = await ask(served.url, '/api/sql', { body: { sql: 'SELECT count(*) AS n FROM fact_vehicle_location' } });
    expect(status).toBe(200);
    expect(json).toMatchObject({ columns: ['n'], truncated: false, ms: expect.any(Number) });
    expect(Number(json.rows[0].n)).toBeGreaterThan(0);
    const many = await ask(served.url, '/api/sql', { body: { sql: 'SELECT * FROM range(5000)' } });
    expect(many.json.rows).toHaveLength(1000);
    expect(many.json.truncated).toBe(true);
  });

  it('refuses an answer too big to hold, and keeps serving', async () => {
    const big = await ask(served.url, '/api/sql', { body: { sql: "SELECT repeat('x', 100000) AS s FROM range(1000)" } });
    expect(big.status).toBe(400);
    expect(big.json.error).toMatch(/^the warehouse refused the query: its answer passed the 16 MB it may be at row \d+: ask for fewer rows/);
    // A trailing comment or empty statement changes nothing (it once skipped the sizing).
    const commented = await ask(served.url, '/api/sql', { body: { sql: "SELECT repeat('x', 100000) AS s FROM range(1000); -- c" } });
    expect(commented).toMatchObject({ status: 400, json: { error: big.json.error } });
    expect((await ask(served.url, '/api/health')).status).toBe(200);
    // Below the cap, long values come back whole.
    const fits = await ask(served.url, '/api/sql', { body: { sql: "SELECT repeat('x', 100000) AS s FROM range(10);" } });
    expect(fits.json.rows.map((r: { s: string }) => r.s.length)).toEqual(Array(10).fill(100000));
  });

  it('answers one console query at a time (503 while busy)', async () => {
    const pause = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));
    // A second or two of hashing, far inside the console's 30 s limit.
    const sent = performance.now();
    let answered = false;
    const slow = ask(served.url, '/api/sql', { body: { sql: 'SELECT sum(hash(i)) AS s FROM range(100000000) t(i)' } }).finally(() => (answered = true));
    await pause(50);
    // Asked again until the console says it is busy (or the first answer comes back first).
    let busy: Answer | undefined;
    let busyAfterMs = 0;
    while (!answered && busy === undefined) {
      const again = await ask(served.url, '/api/sql', { body: { sql: 'SELECT 1 AS one' } });
      if (again.status === 503) {
        busy = again;
        busyAfterMs = performance.now() - sent;
      } else await pause(20);
    }
    expect(busy?.status).toBe(503);
    expect(busy?.json.error).toMatch(/answering another query/);
    const first = await slow;
    expect(first.status).toBe(200);
    // The first query began after it was sent and outlasted the 503: the two overlapped.
    expect(first.json.ms).toBeGreaterThan(busyAfterMs);
    expect((await ask(served.url, '/api/sql', { body: { sql: 'SELECT 1 AS one' } })).status).toBe(200);
  });

  it('adds the explain report on request', async () => {
    const { json } = await ask(served.url, '/api/sql', { body: { sql: "SELECT vehicle_id, lat FROM lake.vehicle WHERE date = DATE '2019-06-01' AND hour = 15", explain: true } });
    expect(json.explain).toMatchObject({ files_read: 1, files_total: expect.any(Number), partitions_read: 1 });
    expect(json.explain.plan).toEqual(expect.any(Array));
  });

  it('refuses every write, file read outside the lake and setting change by DuckDB itself, in one sentence', async () => {
    const state = `${lake}-state`;
    const attempts = [
      `COPY (SELECT 1 AS a) TO '${lake}/written.parquet'`,
      `COPY dim_vehicle TO '${lake}/vehicle/date=2019-06-01/hour=15/x.csv'`,
      `ATTACH '${lake}/new.duckdb' AS sneaky`,
      'CREATE TABLE x (a INTEGER)',
      'CREATE TEMP TABLE x AS SELECT 1',
      'INSERT INTO dim_vehicle SELECT * FROM dim_vehicle',
      'DELETE FROM dim_vehicle',
      'DROP TABLE dim_vehicle',
      'SELECT 1; DROP TABLE dim_vehicle',
      "SELECT 1; COPY (SELECT 1) TO '/tmp/x.csv'",
      'EXPLAIN ANALYZE CREATE TABLE y AS SELECT 1',
      'SET enable_external_access = true',
      "PRAGMA memory_limit='1GB'",
      'CALL pragma_version()',
      'INSTALL httpfs',
      'LOAD httpfs',
      "SELECT * FROM read_csv('/etc/passwd')",
      `SELECT * FROM read_text('${state}/eventlake.db')`,
      `SELECT * FROM read_blob('${lake}/../${lake.split('/').at(-1) ?? ''}-state/eventlake.db')`,
      'VACUUM',
      'CHECKPOINT',
      '',
      '   ;  ',
      'SELEC 1',
    ];
    for (const sql of attempts) {
      const answer = await ask(served.url, '/api/sql', { body: { sql } });
      expect({ sql, status: answer.status }).toEqual({ sql, status: 400 });
      expect(answer.json.error).not.toContain('\n');
    }
    expect(existsSync(join(lake, 'written.parquet'))).toBe(false);
    expect(existsSync(join(lake, 'new.duckdb'))).toBe(false);
    expect(existsSync(join(lake, 'vehicle/date=2019-06-01/hour=15/x.csv'))).toBe(false);
    const copy = await ask(served.url, '/api/sql', { body: { sql: `COPY (SELECT 1 AS a) TO '${lake}/written.parquet'` } });
    expect(copy.json.error).toBe('the warehouse refused the query: only reading is allowed here: DuckDB parses this as COPY, not SELECT');
    const explain = await ask(served.url, '/api/sql', { body: { sql: 'EXPLAIN SELECT 1' } });
    expect(explain.json.error).toMatch(/explain option instead/);
    // Reads still work after all that.
    expect((await ask(served.url, '/api/sql', { body: { sql: 'SELECT count(*) AS n FROM dim_vehicle' } })).json.rows[0].n).toBe('20');
  });

  it('refuses a bad body', async () => {
    for (const body of [{}, { sql: 42 }, { sql: 'SELECT 1', explain: 'yes' }, { sql: 'SELECT 1', extra: true }]) {
      const answer = await ask(served.url, '/api/sql', { body });
      expect(answer.status).toBe(400);
    }
  });

  it('answers the BI question, the operating periods and their vehicle tracks', async () => {
    const bi = (await ask(served.url, '/api/warehouse/avg-distance')).json;
    const periods = (await ask(served.url, '/api/warehouse/periods')).json.periods;
    expect(periods.length).toBeGreaterThan(0);
    expect(bi.periods.map((p: { period_id: string }) => p.period_id).sort()).toEqual(
      expect.arrayContaining(bi.periods.map((p: { period_id: string }) => p.period_id)),
    );
    const withVehicles = bi.periods[0];
    const named = new URLSearchParams({ period: withVehicles.period_id as string, organization: withVehicles.organization_id as string });
    const tracks = (await ask(served.url, `/api/warehouse/tracks?${named.toString()}`)).json;
    expect(tracks).toMatchObject({ period_id: withVehicles.period_id, organization_id: withVehicles.organization_id });
    expect(tracks.vehicles).toHaveLength(withVehicles.vehicles);
    expect(periods).toContainEqual(expect.objectContaining({ period_id: withVehicles.period_id, organization_id: withVehicles.organization_id }));
    // The generated feed's two organizations use the same period ids: the id alone names two periods.
    const alone = await ask(served.url, `/api/warehouse/tracks?period=${encodeURIComponent(withVehicles.period_id as string)}`);
    expect(alone.status).toBe(400);
    expect(alone.json.error).toMatch(/is used by 2 organizations \(.+\): name one with organization=$/);
    expect(tracks.bounds.minLng).toBeLessThan(tracks.bounds.maxLng);
    for (const vehicle of tracks.vehicles) {
      for (const [lng, lat] of vehicle.points) {
        expect(lng).toBeGreaterThanOrEqual(tracks.bounds.minLng);
        expect(lat).toBeLessThanOrEqual(tracks.bounds.maxLat);
      }
    }
    const unknown = await ask(served.url, `/api/warehouse/tracks?period=${encodeURIComponent("nope' OR '1'='1")}`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatch(/^no operating period "nope' OR '1'='1"/);
    expect((await ask(served.url, '/api/warehouse/tracks')).status).toBe(400);
  });
});

describe('the lake', () => {
  it('lists partitions per entity with files, rows and bytes, and flags small files', async () => {
    const before = await ask(served.url, '/api/lake');
    const vehicle = before.json.entities.find((e: { entity: string }) => e.entity === 'vehicle');
    expect(vehicle.partitions).toEqual([expect.objectContaining({ partition: 'vehicle/date=2019-06-01/hour=15', files: 1, rows: expect.any(Number) })]);
    expect(vehicle.partitions[0].warning).toBeUndefined();
    // The quarantine is browsable after the entities.
    expect(before.json.entities.map((e: { entity: string }) => e.entity)).toEqual(['operating_period', 'vehicle', '_quarantine']);
    // Another writer drops two small files into the partition: flagged, rows unknown.
    const dir = join(lake, 'vehicle/date=2019-06-01/hour=15');
    const [part] = await readdir(dir);
    await copyFile(join(dir, part as string), join(dir, 'extra-1.parquet'));
    await copyFile(join(dir, part as string), join(dir, 'extra-2.parquet'));
    const after = (await ask(served.url, '/api/lake')).json.entities.find((e: { entity: string }) => e.entity === 'vehicle');
    expect(after.partitions[0]).toMatchObject({ files: 3, rows: null, bytes: vehicle.partitions[0].bytes * 3 });
    expect(after.partitions[0].warning).toMatch(/^3 files averaging .* KB: small files slow every query; a rerun of the hour merges them$/);
  });
});

describe('before the warehouse or the run exists', () => {
  it('answers 409 with what to do', async () => {
    const empty = await tempDir();
    const other = await startServed('serve', ['--source', empty, '--lake', `${empty}-lake`, '--state', `${empty}-state`]);
    try {
      for (const [path, options] of [
        ['/api/sql', { body: { sql: 'SELECT 1' } }],
        ['/api/warehouse/avg-distance', {}],
        ['/api/warehouse/periods', {}],
      ] as const) {
        const answer = await ask(other.url, path, options);
        expect({ path, status: answer.status }).toEqual({ path, status: 409 });
        expect(answer.json.error).toMatch(/^no warehouse in .* yet: run eventlake warehouse build first$/);
      }
      const failed = await ask(other.url, '/api/runs', { body: { hour: SAMPLE_HOUR } });
      await runEnded(other.url, failed.json.id as string);
      const timeline = await ask(other.url, `/api/runs/${failed.json.id as string}/timeline`);
      expect(timeline.status).toBe(409);
      expect(timeline.json.error).toMatch(/is failed: its timeline is counted from the files it publishes, once it succeeds/);
      expect((await ask(other.url, '/api/lake')).json.entities).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});
