/** The real door2door sample through the whole pipeline, read back by independent readers. */
import { runHourInProcess } from '../helpers/in-process.js';
import { describe, expect, it } from 'vitest';
import type { FormatName } from '../../src/formats/lake-format.js';
import { parseHour } from '../../src/pipeline/hour.js';
import type { RunReport } from '../../src/app/run-hour.js';
import { avrocat, flatSample, listFiles, query, runCli, SAMPLE, SAMPLE_HOUR, tempDir } from '../helpers/fixtures.js';

const EXPECTED_VEHICLE = [
  { event: 'deregister', n: '100' },
  { event: 'register', n: '100' },
  { event: 'update', n: '35149' },
];

async function vehicleCounts(lake: string): Promise<unknown[]> {
  return query(`SELECT event, count(*) AS n FROM '${lake}/vehicle/date=*/hour=*/*.parquet' GROUP BY 1 ORDER BY 1`);
}

function countByEvent(records: Record<string, unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r['event'] as string] = (counts[r['event'] as string] ?? 0) + 1;
  return counts;
}

/** The nested sample to Parquet on the test's own thread (workers: 0), so coverage sees it. */
async function runSampleInline(lake: string, targetFileBytes: number, format: FormatName = 'parquet'): Promise<RunReport> {
  const hour = parseHour(SAMPLE_HOUR);
  if (!hour) throw new Error('hour');
  return runHourInProcess({
    source: SAMPLE,
    lake,
    state: await tempDir(),
    layout: 'any',
    hour,
    format,
    workers: 0,
    targetFileBytes,
  });
}

describe('the real sample, nested layout, Parquet', () => {
  it('loads every event, read back by DuckDB with real types', async () => {
    const lake = await tempDir();
    const summary = await runSampleInline(lake, 128 << 20);
    expect(summary.objects).toBe(721);
    expect(summary.events).toEqual({ vehicle: 35349, operating_period: 2 });
    expect(summary.quarantined).toBe(0);
    expect(await vehicleCounts(lake)).toEqual(EXPECTED_VEHICLE);
    expect(await query(`SELECT count(*) AS n FROM '${lake}/operating_period/*/*/*.parquet'`)).toEqual([{ n: '2' }]);

    const types = await query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${lake}/vehicle/*/*/*.parquet', hive_partitioning = false))`);
    expect(Object.fromEntries(types.map((t) => [t['column_name'], t['column_type']]))).toEqual({
      event: 'VARCHAR',
      event_at: 'TIMESTAMP WITH TIME ZONE',
      organization_id: 'VARCHAR',
      vehicle_id: 'VARCHAR',
      lat: 'DOUBLE',
      lng: 'DOUBLE',
      location_at: 'TIMESTAMP WITH TIME ZONE',
      source_object: 'VARCHAR',
      source_line: 'BIGINT',
    });
    // One known line, value for value: file 15-23-57, line 1.
    const row = await query(
      `SELECT vehicle_id, lat, lng, epoch_ms(event_at) AS at_ms, epoch_ms(location_at) AS loc_ms FROM '${lake}/vehicle/*/*/*.parquet' ` +
        `WHERE source_object = '2019/06/01/15/23/2019-06-01-15-23-57-events.txt' AND source_line = 1`,
    );
    expect(row).toEqual([
      { vehicle_id: 'f0b87796-b25c-40b0-9145-8822509c17e1', lat: 52.55762, lng: 13.46649, at_ms: '1559413437196', loc_ms: '1559413437196' },
    ]);
    const files = await listFiles(lake);
    expect(files.filter((f) => f.endsWith('.parquet')).map((f) => f.slice(lake.length))).toEqual(
      expect.arrayContaining(['/vehicle/date=2019-06-01/hour=15/part-00000.parquet', '/operating_period/date=2019-06-01/hour=15/part-00000.parquet']),
    );
    expect(files.filter((f) => f.endsWith('.parquet'))).toHaveLength(2);
  });
});

describe('the real sample through the CLI with worker threads', () => {
  it('flat layout to Avro (deflate), read back by avrocat', async () => {
    const source = await flatSample();
    const lake = await tempDir();
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', SAMPLE_HOUR, '--format', 'avro', '--workers', '2', '--json', '--state', await tempDir()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { events: Record<string, number>; objects: number; outputs: { path: string; rows: number; entity: string }[] };
    expect(summary.objects).toBe(721);
    expect(summary.events).toEqual({ vehicle: 35349, operating_period: 2 });
    const vehicleFiles = summary.outputs.filter((o) => o.entity === 'vehicle');
    expect(vehicleFiles.length).toBeLessThanOrEqual(2);
    const records = vehicleFiles.flatMap((o) => avrocat(o.path));
    expect(records).toHaveLength(35349);
    expect(countByEvent(records)).toEqual({ register: 100, update: 35149, deregister: 100 });
    const periods = summary.outputs.filter((o) => o.entity === 'operating_period').flatMap((o) => avrocat(o.path));
    expect(periods.map((p) => p['period_id']).sort()).toEqual(['op_1', 'op_2']);
    expect(periods[0]?.['source_object']).toMatch(/^2019-06-01-15-17-[34]-events\.txt$/);
  });

  it('nested layout to Avro with snappy, read back by avrocat', async () => {
    const lake = await tempDir();
    const result = await runCli(['run', '--source', SAMPLE, '--lake', lake, '--hour', SAMPLE_HOUR, '--format', 'avro', '--codec', 'snappy', '--json', '--state', await tempDir()]);
    expect(result.code).toBe(0);
    const files = (await listFiles(`${lake}/vehicle`)).filter((f) => f.endsWith('.avro'));
    expect(countByEvent(files.flatMap((f) => avrocat(f)))).toEqual({ register: 100, update: 35149, deregister: 100 });
  });

  it('flat layout to Parquet (snappy) with the promised --json shape', async () => {
    const source = await flatSample();
    const lake = await tempDir();
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', SAMPLE_HOUR, '--codec', 'snappy', '--json', '--state', await tempDir()]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual(['events', 'hour', 'objects', 'outputs', 'quarantined', 'runId', 'seconds', 'skipped']);
    expect(summary).toMatchObject({ hour: SAMPLE_HOUR, objects: 721, skipped: 0, quarantined: 0, events: { vehicle: 35349, operating_period: 2 } });
    expect(summary['outputs']).toEqual([
      { path: `${lake}/vehicle/date=2019-06-01/hour=15/part-00000.parquet`, entity: 'vehicle', rows: 35349, bytes: expect.any(Number) },
      { path: `${lake}/operating_period/date=2019-06-01/hour=15/part-00000.parquet`, entity: 'operating_period', rows: 2, bytes: expect.any(Number) },
    ]);
    expect(await vehicleCounts(lake)).toEqual(EXPECTED_VEHICLE);
    const codecs = await query(`SELECT DISTINCT compression FROM parquet_metadata('${lake}/vehicle/*/*/*.parquet')`);
    expect(codecs).toEqual([{ compression: 'SNAPPY' }]);
  });
});

describe('file sizes', () => {
  // Splitting a bigger hour into files of about the target: test/e2e/parquet-order.test.ts.
  it('ends Parquet files on row-group boundaries: the sample (under one row group) stays one file past a small target', async () => {
    const lake = await tempDir();
    const target = 100 * 1024;
    const summary = await runSampleInline(lake, target);
    const parts = summary.outputs.filter((o) => o.entity === 'vehicle');
    expect(parts).toHaveLength(1);
    expect(parts[0]?.bytes).toBeGreaterThan(target);
    expect(parts.map((p) => p.path.split('/').at(-1))).toEqual(parts.map((_, i) => `part-0000${i}.parquet`));
    expect(parts.reduce((n, p) => n + p.rows, 0)).toBe(35349);
    expect(await vehicleCounts(lake)).toEqual(EXPECTED_VEHICLE);
    const perFile = await query(`SELECT filename, count(*) AS n FROM read_parquet('${lake}/vehicle/*/*/*.parquet', filename = true) GROUP BY 1 ORDER BY 1`);
    expect(perFile.map((r) => Number(r['n']))).toEqual(parts.map((p) => p.rows));
  });

  it('starts a new Avro file past the target size, every file readable by avrocat', async () => {
    const lake = await tempDir();
    const summary = await runSampleInline(lake, 200 * 1024, 'avro');
    const parts = summary.outputs.filter((o) => o.entity === 'vehicle');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.path.split('/').at(-1))).toEqual(parts.map((_, i) => `part-0000${i}.avro`));
    const counts = parts.map((p) => avrocat(p.path).length);
    expect(counts).toEqual(parts.map((p) => p.rows));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(35349);
  });
});
