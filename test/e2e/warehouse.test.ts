/**
 * The embedded warehouse on real lakes: the BI answer on the real sample, the same answer as an
 * independent SQL computation over the lake on a generated feed, untouched by duplicates and
 * bad lines; hours reloaded only when their files change; read-only by DuckDB's own settings.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles, query, runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';
import { exitWithin, startCli, waitFor } from '../helpers/processes.js';

interface Avg {
  organization_id: string;
  period_id: string;
  vehicles: number;
  avg_km: number;
  total_km: number;
}

/**
 * The definition, written again straight over the lake's Parquet files: no model, no table. A
 * period and a vehicle are those of one organization, and a vehicle counts toward a period of
 * its own organization only.
 */
function independentAvgSql(lake: string): string {
  const parquet = (entity: string): string => `read_parquet('${lake}/${entity}/*/*/*.parquet', hive_partitioning = true)`;
  return `
    WITH periods AS (
      SELECT organization_id, period_id, start_at, finish_at FROM (
        SELECT *, row_number() OVER (PARTITION BY organization_id, period_id ORDER BY event_at DESC, source_object DESC, source_line DESC) AS rn
        FROM ${parquet('operating_period')}) WHERE rn = 1 AND event = 'create'),
    points AS (SELECT DISTINCT organization_id, vehicle_id, location_at, lat, lng FROM ${parquet('vehicle')}
      WHERE lat IS NOT NULL AND lng IS NOT NULL AND location_at IS NOT NULL),
    steps AS (
      SELECT p.organization_id, p.period_id, v.vehicle_id, v.lat, v.lng,
        lag(v.lat) OVER w AS plat, lag(v.lng) OVER w AS plng
      FROM periods p JOIN points v ON v.organization_id = p.organization_id AND v.location_at BETWEEN p.start_at AND p.finish_at
      WINDOW w AS (PARTITION BY p.organization_id, p.period_id, v.vehicle_id ORDER BY v.location_at, v.lat, v.lng)),
    per_vehicle AS (
      SELECT organization_id, period_id, vehicle_id, coalesce(sum(2 * 6371.0088 * asin(sqrt(pow(sin(radians(lat - plat) / 2), 2)
        + cos(radians(plat)) * cos(radians(lat)) * pow(sin(radians(lng - plng) / 2), 2)))), 0) AS km
      FROM steps GROUP BY ALL)
    SELECT organization_id, period_id, CAST(count(*) AS INTEGER) AS vehicles, avg(km) AS avg_km, sum(km) AS total_km
    FROM per_vehicle GROUP BY ALL ORDER BY period_id, organization_id`;
}

async function avgFrom(state: string): Promise<Avg[]> {
  const result = await runCli(['query', 'avg-distance', '--json', '--state', state]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Avg[];
}

async function build(lake: string, state: string): Promise<{ loaded: string[]; removed: string[] }> {
  const result = await runCli(['warehouse', 'build', '--json', '--lake', lake, '--state', state]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { loaded: string[]; removed: string[] };
}

function expectClose(actual: Avg[], expected: Avg[]): void {
  expect(actual.map((r) => [r.organization_id, r.period_id, r.vehicles])).toEqual(expected.map((r) => [r.organization_id, r.period_id, Number(r.vehicles)]));
  actual.forEach((r, i) => {
    const e = expected[i] as Avg;
    expect(Math.abs(r.avg_km - Number(e.avg_km)) / Number(e.avg_km)).toBeLessThan(1e-9);
    expect(Math.abs(r.total_km - Number(e.total_km)) / Number(e.total_km)).toBeLessThan(1e-9);
  });
}

describe('the warehouse on the real sample', () => {
  it('answers the average distance per operating period: op_2 100 vehicles ≈ 9.016878 km, op_1 44 ≈ 4.938394 km', async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    expect((await runCli(['run', '--source', SAMPLE, '--lake', lake, '--hour', SAMPLE_HOUR, '--state', state])).code).toBe(0);
    const first = await build(lake, state);
    expect(first.loaded.sort()).toEqual(['operating_period/date=2019-06-01/hour=15', 'vehicle/date=2019-06-01/hour=15']);
    const rows = await avgFrom(state);
    expect(rows.map((r) => [r.period_id, r.vehicles])).toEqual([
      ['op_1', 44],
      ['op_2', 100],
    ]);
    expect(Math.abs((rows[0]?.avg_km ?? 0) / 4.938394 - 1)).toBeLessThan(1e-6);
    expect(Math.abs((rows[1]?.avg_km ?? 0) / 9.016878 - 1)).toBeLessThan(1e-6);
    // JSON numbers, not strings.
    expect(typeof rows[0]?.vehicles).toBe('number');
    const one = JSON.parse((await runCli(['query', 'avg-distance', '--period', 'op_2', '--json', '--state', state])).stdout) as Avg[];
    expect(one.map((r) => r.period_id)).toEqual(['op_2']);

    // Nothing changed in the lake: nothing is reloaded, the answer stays.
    expect(await build(lake, state)).toMatchObject({ loaded: [], removed: [] });
    expectClose(await avgFrom(state), rows);
  });
});

describe('the warehouse on a generated feed', () => {
  it('equals an independent SQL computation over the lake, and duplicates and bad lines do not change it', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = `${lake}-state`;
    expect((await runCli(['generate', '--out', source, '--hour', '2020-03-01T08', '--vehicles', '12', '--seed', '5'])).code).toBe(0);
    expect((await runCli(['run', '--source', source, '--lake', lake, '--hour', '2020-03-01T08', '--state', state])).code).toBe(0);
    await build(lake, state);
    const answer = await avgFrom(state);
    expect(answer.length).toBeGreaterThan(0);
    expectClose(answer, (await query(independentAvgSql(lake))) as unknown as Avg[]);

    // The same events again under other object names, and lines no one can read: same answer.
    const files = (await listFiles(source)).filter((f) => f.endsWith('-events.json')).slice(0, 300);
    for (const [i, file] of files.entries()) {
      const copy = file.replace(/-(\d+)-events\.json$/, (_m, s: string) => `-${s}-events.txt`);
      await writeFile(copy, `${await readFile(file, 'utf8')}{not json\n`);
      if (i === 0) expect(copy).not.toBe(file);
    }
    expect((await runCli(['run', '--source', source, '--lake', lake, '--hour', '2020-03-01T08', '--state', state])).code).toBe(0);
    const rebuilt = await build(lake, state);
    expect(rebuilt.loaded.length).toBeGreaterThan(0);
    expectClose(await avgFrom(state), answer);

    // The next hour, built incrementally: still the independent answer. Both organizations have
    // periods (of the same ids); each counts its own vehicles only, which the independent SQL checks.
    expect((await runCli(['generate', '--out', source, '--hour', '2020-03-01T09', '--vehicles', '12', '--seed', '6'])).code).toBe(0);
    expect((await runCli(['run', '--source', source, '--lake', lake, '--hour', '2020-03-01T09', '--state', state])).code).toBe(0);
    const next = await runCli(['warehouse', 'build', '--json', '--lake', lake, '--state', state]);
    const models = (JSON.parse(next.stdout) as { models: { name: string; build: string }[] }).models;
    expect(models.find((m) => m.name === 'fact_vehicle_location')?.build).toBe('incremental');
    const both = await avgFrom(state);
    expectClose(both, (await query(independentAvgSql(lake))) as unknown as Avg[]);
    expect(new Set(both.map((r) => r.organization_id))).toEqual(new Set(['org-id', 'org-id-2']));
    const [blind] = await query(
      `SELECT count(DISTINCT vehicle_id) AS n FROM read_parquet('${lake}/vehicle/*/*/*.parquet') WHERE organization_id <> 'org-id'`,
    );
    expect(Number(blind?.['n'])).toBeGreaterThan(0);
  });
});

describe('reading the warehouse', () => {
  it('is read-only by DuckDB itself: writes and files outside the lake are refused in one sentence', async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    const missing = await runCli(['query', 'avg-distance', '--state', state]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`eventlake: no warehouse in ${state} yet: run eventlake warehouse build first\n`);
    expect((await runCli(['run', '--source', SAMPLE, '--lake', lake, '--hour', SAMPLE_HOUR, '--state', state])).code).toBe(0);
    await build(lake, state);
    const outside = join(await tempDir(), 'out.csv');
    for (const sql of ['CREATE TABLE x (a INTEGER)', 'DELETE FROM dim_vehicle', `COPY dim_vehicle TO '${outside}'`, "SELECT * FROM read_csv('/etc/passwd')", 'SET enable_external_access = true']) {
      const refused = await runCli(['sql', sql, '--state', state]);
      expect(refused.code, sql).toBe(1);
      expect(refused.stderr, sql).toMatch(/^eventlake: the warehouse refused the query: .+\n$/);
    }
    const ok = await runCli(['sql', 'SELECT count(*) AS n FROM lake.vehicle WHERE date = DATE \'2019-06-01\' AND hour = 15', '--json', '--state', state]);
    expect(JSON.parse(ok.stdout)).toEqual([{ n: '35349' }]);
  });
});

describe('eventlake up', () => {
  it('builds the warehouse after each hour that succeeds', async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    const common = ['--source', SAMPLE, '--lake', lake, '--state', state];
    const up = startCli(['up', '--json', ...common], { EVENTLAKE_SCHEDULE_TICK: '200ms', EVENTLAKE_RETRIES_COUNT: '0', EVENTLAKE_DEADLINES_AFTER_HOUR_END: 'none' });
    try {
      await waitFor('up to register', async () => (await runCli(['status', '--json', '--state', state])).stdout.includes('"schedulers":[{'), 30_000);
      const queued = await runCli(['trigger', '--hour', SAMPLE_HOUR, '--json', ...common]);
      expect(JSON.parse(queued.stdout)).toMatchObject({ handedToScheduler: true });
      await waitFor('the warehouse build', () => up.out.stdout.split('\n').some((l) => l.includes('"event":"warehouse"') && l.includes('vehicle/date=2019-06-01/hour=15')), 60_000);
      const rows = await avgFrom(state);
      expect(rows.map((r) => [r.period_id, r.vehicles])).toEqual([
        ['op_1', 44],
        ['op_2', 100],
      ]);
    } finally {
      up.child.kill('SIGINT');
      expect(await exitWithin(up, 30_000)).toEqual({ code: 0, signal: null });
    }
  });
});

describe('eventlake explain', () => {
  it('says a query filtered to one hour reads only that hour\'s files, and warns when a query reads them all', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const state = `${lake}-state`;
    for (const hour of ['2020-03-01T08', '2020-03-01T09']) {
      expect((await runCli(['generate', '--out', source, '--hour', hour, '--vehicles', '2'])).code).toBe(0);
      expect((await runCli(['run', '--source', source, '--lake', lake, '--hour', hour, '--state', state])).code).toBe(0);
    }
    await build(lake, state);
    const explain = async (sql: string): Promise<Record<string, unknown>> => {
      const result = await runCli(['explain', sql, '--json', '--state', state]);
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    expect(await explain("SELECT vehicle_id, lat FROM lake.vehicle WHERE date = DATE '2020-03-01' AND hour = 9")).toMatchObject({
      files_read: 1,
      files_total: 2,
      partitions_read: 1,
      partitions_total: 2,
      warning: null,
    });
    expect(await explain('SELECT vehicle_id, lat FROM lake.vehicle')).toMatchObject({
      files_read: 2,
      files_total: 2,
      partitions_read: 2,
      partitions_total: 2,
      warning: 'lake.vehicle is read whole: filter on date and hour to read only the partitions you need',
    });
    // Internal tables are not the lake: nothing to prune, no warning.
    expect(await explain('SELECT * FROM fact_vehicle_location')).toMatchObject({ files_read: 0, files_total: 0, warning: null });
  });
});

describe('lineage', () => {
  it('traces a model back through tables and lake partitions to the runs and sources, and writes OpenLineage events', async () => {
    const lake = await tempDir();
    const state = `${lake}-state`;
    expect((await runCli(['run', '--source', SAMPLE, '--lake', lake, '--hour', SAMPLE_HOUR, '--state', state])).code).toBe(0);
    await build(lake, state);
    const result = await runCli(['lineage', 'bi_avg_distance', '--json', '--state', state]);
    expect(result.code).toBe(0);
    const { upstream } = JSON.parse(result.stdout) as { upstream: { from: string; to: string }[] };
    // A path from the source, through the lake and the star schema, to the answer.
    const path = ['fact_period_vehicle_distance', 'fact_vehicle_location', 'vehicle', 'lake.vehicle', 'lake:vehicle/date=2019-06-01/hour=15'];
    let to = 'bi_avg_distance';
    for (const from of path) {
      expect(upstream, `${from} → ${to}`).toContainEqual({ from, to });
      to = from;
    }
    expect(upstream.find((e) => e.to === 'lake:vehicle/date=2019-06-01/hour=15')?.from).toMatch(new RegExp(`^source:${SAMPLE} \\(721 objects, run 2019-06-01T15-\\w+\\)$`));
    const unknown = await runCli(['lineage', 'nope', '--state', state]);
    expect(unknown.stderr).toMatch(/^eventlake: no table nope in the warehouse; its tables are vehicle, operating_period, /);

    interface Event {
      eventType: string;
      job: { name: string };
      inputs: { namespace: string; name: string }[];
      outputs: { namespace: string; name: string }[];
      schemaURL: string;
    }
    const events = await Promise.all((await listFiles(join(state, 'lineage'))).map(async (f) => JSON.parse(await readFile(f, 'utf8')) as Event));
    // (Every event is checked against the OpenLineage schema in test/component/openlineage-events.test.ts.)
    const hour = events.find((e) => e.job.name === 'hour' && e.eventType === 'COMPLETE');
    expect(hour).toMatchObject({ inputs: [{ namespace: 'file', name: SAMPLE }], schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent' });
    expect(hour?.outputs.map((o) => o.name).sort()).toEqual([join(lake, 'operating_period'), join(lake, 'vehicle')]);
    const model = events.find((e) => e.job.name === 'warehouse.bi_avg_distance' && e.eventType === 'COMPLETE');
    expect(model?.inputs.map((i) => i.name).sort()).toEqual(['warehouse.main.dim_operating_period', 'warehouse.main.fact_period_vehicle_distance']);
  });
});

describe('an Avro lake', () => {
  it('loads through the project\'s own Avro reader into the same tables and the same answer as a Parquet lake', async () => {
    const hashSql = (table: string): string =>
      `SELECT count(*) AS n, md5(string_agg(concat_ws('|', event, event_at, organization_id, vehicle_id, lat, lng, location_at, source_object, source_line, date, hour), ',' ORDER BY source_object, source_line)) AS h FROM ${table}`;
    const results: unknown[] = [];
    const answers: Avg[][] = [];
    for (const format of ['parquet', 'avro']) {
      const lake = await tempDir();
      const state = `${lake}-state`;
      expect((await runCli(['run', '--format', format, '--source', SAMPLE, '--lake', lake, '--hour', SAMPLE_HOUR, '--state', state])).code).toBe(0);
      await build(lake, state);
      const hashed = await runCli(['sql', hashSql('vehicle'), '--json', '--state', state]);
      expect(hashed.stderr).toBe('');
      results.push(JSON.parse(hashed.stdout));
      answers.push(await avgFrom(state));
      if (format === 'avro') {
        // The lake views exist for Avro too, read through the loaded tables.
        expect(JSON.parse((await runCli(['sql', 'SELECT count(*) AS n FROM lake.vehicle WHERE hour = 15', '--json', '--state', state])).stdout)).toEqual([{ n: '35349' }]);
      }
    }
    expect(results[1]).toEqual(results[0]);
    expectClose(answers[1] as Avg[], answers[0] as Avg[]);
  });
});
