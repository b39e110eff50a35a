/**
 * Issue 21 items 6 and 8, on lakes the pipeline really wrote. A lake with one hour in Parquet and
 * one in Avro: `lake.<entity>` covers both (before, the Avro hour was silently left out), explain
 * counts the Avro hour too, and an hour switched to Avro by a rerun is still covered. A lake with
 * folders and files eventlake did not write (`date=2019-06-01=x`, a bad date, `hour=24`, stray
 * files): the build skips them, says so, and reads the rest (before, a Binder error failed it).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainQuery, querySql } from '../../src/app/warehouse.js';
import { lakePartitions } from '../../src/warehouse/duckdb/lake-listing.js';
import { listFiles, runCli, tempDir } from '../helpers/fixtures.js';

let source: string;

beforeAll(async () => {
  source = await tempDir();
  for (const hour of ['2019-06-01T22', '2019-06-01T23']) expect((await runCli(['generate', '--out', source, '--hour', hour, '--vehicles', '3'])).code).toBe(0);
}, 60_000);

/** Runs an hour in the given format; its rows per entity, as the run reports them. */
async function run(lake: string, state: string, hour: string, format: 'parquet' | 'avro'): Promise<Record<string, number>> {
  const result = await runCli(['run', '--source', source, '--lake', lake, '--state', state, '--hour', hour, '--format', format, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { events: Record<string, number> }).events;
}

async function build(lake: string, state: string, json = true): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(['warehouse', 'build', '--lake', lake, '--state', state, ...(json ? ['--json'] : [])]);
}

async function rowsPerHour(state: string, entity: string): Promise<Record<string, number>> {
  const { rows } = await querySql(
    state,
    `SELECT strftime(date, '%Y-%m-%d') || 'T' || lpad(CAST(hour AS VARCHAR), 2, '0') AS hour, count(*) AS n FROM lake.${entity} GROUP BY ALL ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [String(r['hour']), Number(r['n'])]));
}

describe('a lake with one hour in Parquet and one in Avro (item 6)', () => {
  let lake: string;
  let state: string;
  const events: Record<string, Record<string, number>> = {};

  beforeAll(async () => {
    lake = await tempDir();
    state = await tempDir();
    events['2019-06-01T22'] = await run(lake, state, '2019-06-01T22', 'parquet');
    events['2019-06-01T23'] = await run(lake, state, '2019-06-01T23', 'avro');
    const built = await build(lake, state);
    expect(built.code, built.stderr).toBe(0);
  }, 120_000);

  it('has one hour of .parquet files and one of .avro files', async () => {
    const files = (await listFiles(join(lake, 'vehicle'))).map((f) => f.slice(lake.length + '/vehicle/'.length)).sort();
    expect(files).toEqual(['date=2019-06-01/hour=22/part-00000.parquet', 'date=2019-06-01/hour=23/part-00000.avro']);
  });

  it('views every hour of each entity, with the rows each run wrote', async () => {
    for (const entity of ['vehicle', 'operating_period']) {
      expect(await rowsPerHour(state, entity), entity).toEqual({
        '2019-06-01T22': events['2019-06-01T22']?.[entity],
        '2019-06-01T23': events['2019-06-01T23']?.[entity],
      });
    }
  });

  it('counts the Avro hour in explain, read or not', async () => {
    const vehicle = (filesRead: number): unknown => [{ entity: 'vehicle', files_read: filesRead, files_total: 2, partitions_read: filesRead, partitions_total: 2, exact: true, reason: null }];
    expect((await explainQuery(state, 'SELECT count(*) FROM lake.vehicle')).entities).toEqual(vehicle(2));
    expect((await explainQuery(state, "SELECT vehicle_id FROM lake.vehicle WHERE date = DATE '2019-06-01' AND hour = 23")).entities).toEqual(vehicle(1));
    expect((await explainQuery(state, 'SELECT vehicle_id FROM lake.vehicle WHERE hour = 22')).entities).toEqual(vehicle(1));
    expect((await explainQuery(state, 'SELECT vehicle_id FROM lake.vehicle WHERE hour = 3')).entities).toEqual(vehicle(0));
  });

  it('still views every hour once the Parquet hour is rerun as Avro, and once the other is switched to Parquet', async () => {
    events['2019-06-01T22'] = await run(lake, state, '2019-06-01T22', 'avro');
    expect((await build(lake, state)).code).toBe(0);
    const expected = { '2019-06-01T22': events['2019-06-01T22']['vehicle'], '2019-06-01T23': events['2019-06-01T23']?.['vehicle'] };
    expect(await rowsPerHour(state, 'vehicle')).toEqual(expected);
    await run(lake, state, '2019-06-01T23', 'parquet');
    expect((await build(lake, state)).code).toBe(0);
    expect(await rowsPerHour(state, 'vehicle')).toEqual(expected);
  });
});

describe('a lake with folders and files eventlake did not write (item 8)', () => {
  let lake: string;
  let state: string;
  let rows: number;

  beforeAll(async () => {
    lake = await tempDir();
    state = await tempDir();
    rows = (await run(lake, state, '2019-06-01T22', 'parquet'))['vehicle'] ?? 0;
    const part = join(lake, 'vehicle', 'date=2019-06-01', 'hour=22', 'part-00000.parquet');
    // hour=05 and hour=5 are one hour: the second folder is foreign.
    for (const folder of ['date=2019-06-01=x/hour=22', 'date=2019-13-45/hour=1', 'date=2019-06-01/hour=24', 'date=2019-06-01/hour=05', 'date=2019-06-01/hour=5']) {
      await mkdir(join(lake, 'vehicle', folder), { recursive: true });
      await copyFile(part, join(lake, 'vehicle', folder, 'part-00000.parquet'));
    }
    await writeFile(join(lake, 'vehicle', 'date=2019-06-01', 'hour=22', '_SUCCESS'), '');
    await writeFile(join(lake, 'vehicle', 'notes.txt'), 'hand-made\n');
  }, 60_000);

  it('builds, reads only the partitions of the lake, and reports what it skipped and why', async () => {
    const built = await build(lake, state);
    expect(built.code, built.stderr).toBe(0);
    const report = JSON.parse(built.stdout) as { skipped: { path: string; reason: string }[]; loaded: string[] };
    expect(report.skipped).toEqual([
      { path: 'vehicle/date=2019-06-01/hour=22/_SUCCESS', reason: 'not a .parquet or .avro file' },
      { path: 'vehicle/date=2019-06-01/hour=24', reason: 'its value is not an hour 0-23' },
      { path: 'vehicle/date=2019-06-01/hour=5', reason: 'another folder of hour 5 of 2019-06-01 comes first' },
      { path: 'vehicle/date=2019-06-01=x', reason: 'its value is not a date YYYY-MM-DD' },
      { path: 'vehicle/date=2019-13-45', reason: 'its value is not a calendar date' },
      { path: 'vehicle/notes.txt', reason: 'a file where date=YYYY-MM-DD folders belong' },
    ]);
    expect([...report.loaded].sort()).toEqual(['operating_period/date=2019-06-01/hour=22', 'vehicle/date=2019-06-01/hour=05', 'vehicle/date=2019-06-01/hour=22']);
    expect(await rowsPerHour(state, 'vehicle')).toEqual({ '2019-06-01T05': rows, '2019-06-01T22': rows });
    expect((await lakePartitions(lake, 'vehicle')).map((p) => p.key)).toEqual(['vehicle/date=2019-06-01/hour=05', 'vehicle/date=2019-06-01/hour=22']);
  });

  it('prints what it skipped in one line: the first three, and how many more', async () => {
    const built = await build(lake, state, false);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout.split('\n').filter((l) => l.startsWith('skipped'))).toEqual([
      'skipped 6 lake entries eventlake did not write (not read): vehicle/date=2019-06-01/hour=22/_SUCCESS (not a .parquet or .avro file), ' +
        'vehicle/date=2019-06-01/hour=24 (its value is not an hour 0-23), vehicle/date=2019-06-01/hour=5 (another folder of hour 5 of 2019-06-01 comes first), and 3 more (--json lists them)',
    ]);
  });
});
