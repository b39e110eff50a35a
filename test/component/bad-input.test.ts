/** Bad lines are quarantined one by one with object, line and reason; the rest still loads. */
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { QuarantineRecord } from '../../src/pipeline/quarantine-writer.js';
import { listFiles, query, runCli, runLines, tempDir, writeObject } from '../helpers/fixtures.js';

const HOUR = '2019-06-01T15';
const good = (id: string, at = '2019-06-01T18:23:57.196Z'): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at, data: { id, location: { lat: 52.5, lng: 13.4, at } }, organization_id: 'org-id' });

async function quarantine(lake: string): Promise<QuarantineRecord[]> {
  const files = (await listFiles(`${lake}/_quarantine`)).filter((f) => f.endsWith('.jsonl'));
  const lines = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('').split('\n').filter(Boolean);
  return lines.map((l) => JSON.parse(l) as QuarantineRecord).sort((a, b) => a.source_line - b.source_line);
}

describe('a quarantined line within the limit', () => {
  it('is kept whole in raw, however long, so it can be fixed and replayed', async () => {
    const wide = good('x'.repeat(10_000)).replace('52.5', '91');
    const { lake } = await runLines('parquet', [good('ok'), wide]);
    expect(await quarantine(lake)).toEqual([expect.objectContaining({ source_line: 2, raw: wide })]);
  });
});

describe('a file with bad lines', () => {
  it('loads its good lines and quarantines each bad one with line number and reason', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const longLine = `{"event":"update","pad":"${'x'.repeat(1100 * 1024)}"}`;
    const lines = [
      `\uFEFF${good('v1')}`, // 1: BOM tolerated
      '', // 2: blank, skipped
      '{"event":"update","on":"vehicle"', // 3: broken JSON
      good('v2').replace('52.5', '"52.5"'), // 4: string where a number belongs
      '   \t', // 5: whitespace only, skipped
      good('v3').replace('"on":"vehicle"', '"on":"bicycle"'), // 6: unknown entity
      JSON.stringify({ event: 'update', on: 'vehicle', at: '2019-06-01T18:23:57Z', organization_id: 'o' }), // 7: no data
      good('v4').replace('2019-06-01T18:23:57.196Z', 'not a time'), // 8: bad timestamp
      '[1,2,3]', // 9: not an object
      longLine, // 10: too long
      `${good('v5')}\r`, // 11: CRLF
    ];
    const invalidUtf8 = Buffer.concat([Buffer.from(`${lines.join('\n')}\n{"event":"`), Buffer.from([0xc3, 0x28]), Buffer.from(`"}\n${good('v6')}`)]);
    await writeObject(source, '2019-06-01-15-5-7-events.json', invalidUtf8);

    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', await tempDir()]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { events: Record<string, number>; quarantined: number };
    expect(summary.events).toEqual({ vehicle: 3 });
    expect(summary.quarantined).toBe(8);

    const rows = await query(`SELECT vehicle_id, source_line FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY source_line`);
    expect(rows).toEqual([
      { vehicle_id: 'v1', source_line: '1' },
      { vehicle_id: 'v5', source_line: '11' },
      { vehicle_id: 'v6', source_line: '13' },
    ]);
    const bad = await quarantine(lake);
    expect(bad.map((b) => [b.source_line, b.reason.replace(/^invalid JSON: .*/, 'invalid JSON')])).toEqual([
      [3, 'invalid JSON'],
      [4, '"data.location.lat" must be a number or null, got string'],
      [6, 'unknown entity "on": "bicycle"'],
      [7, '"data" must be an object, got nothing (missing)'],
      [8, '"at" is not an ISO-8601 timestamp: "not a time"'],
      [9, 'line is a JSON array, not an object'],
      [10, `line too long: ${Buffer.byteLength(longLine)} bytes, the limit is 1048576`],
      [12, 'line is not valid UTF-8'],
    ]);
    for (const record of bad) expect(record.source_object).toBe('2019-06-01-15-5-7-events.json');
    expect(bad.find((b) => b.source_line === 3)?.raw).toBe('{"event":"update","on":"vehicle"');
    expect(bad.find((b) => b.source_line === 10)?.raw.length).toBe(4096);
    // A line that is not UTF-8 keeps its exact bytes beside the readable preview.
    const notUtf8 = bad.find((b) => b.source_line === 12);
    expect(Buffer.from(notUtf8?.raw_base64 ?? '', 'base64')).toEqual(Buffer.concat([Buffer.from('{"event":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
    expect(bad.filter((b) => b.raw_base64 !== undefined)).toHaveLength(1);
  });

  it('reads .gz objects and ignores other hours and other names', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    await writeObject(source, 'a/2019-06-01-15-0-1-events.json.gz', gzipSync(`${good('gz1')}\n${good('gz2')}\n`));
    await writeObject(source, '2019-06-01-15-00-02-events.jsonl', `${good('plain')}\n`);
    await writeObject(source, '2019-06-01-16-0-1-events.json', `${good('next-hour')}\n`);
    await writeObject(source, '2019-06-01-14-59-59-events.json', `${good('previous-hour')}\n`);
    await writeObject(source, '2019-06-01-15-0-3-events.csv', `${good('wrong-extension')}\n`);
    await writeObject(source, 'notes.json', `${good('other-name')}\n`);
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', await tempDir()]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ objects: 2, events: { vehicle: 3 }, quarantined: 0 });
    const ids = await query(`SELECT vehicle_id, source_object FROM '${lake}/vehicle/*/*/*.parquet' ORDER BY 1`);
    expect(ids).toEqual([
      { vehicle_id: 'gz1', source_object: 'a/2019-06-01-15-0-1-events.json.gz' },
      { vehicle_id: 'gz2', source_object: 'a/2019-06-01-15-0-1-events.json.gz' },
      { vehicle_id: 'plain', source_object: '2019-06-01-15-00-02-events.jsonl' },
    ]);
  });

  it('quarantines what a truncated .gz object could not give, keeping the lines before', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const whole = gzipSync(`${good('g1')}\n${good('g2')}\n`.repeat(2000));
    await writeObject(source, '2019-06-01-15-0-1-events.json.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', await tempDir()]);
    expect(result.code).toBe(0);
    const bad = await quarantine(lake);
    expect(bad).toHaveLength(1);
    expect(bad[0]?.reason).toBe('object could not be read to the end (unexpected end of file); this line is incomplete');
    const rows = await query(`SELECT count(*) AS n, max(source_line) AS last FROM '${lake}/vehicle/*/*/*.parquet'`);
    expect(Number(rows[0]?.['n'])).toBe(Number(rows[0]?.['last']));
    expect(bad[0]?.source_line).toBe(Number(rows[0]?.['last']) + 1);
  });
});

describe('large input', () => {
  it('loads a line of almost 1 MiB as ordinary input', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const padded = good('big').replace('"organization_id"', `"note":"${'n'.repeat(1024 * 1024 - 400)}","organization_id"`);
    expect(Buffer.byteLength(padded)).toBeLessThanOrEqual(1024 * 1024);
    await writeObject(source, '2019-06-01-15-0-1-events.json', `${padded}\n${good('small')}\n`);
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', await tempDir()]);
    expect(JSON.parse(result.stdout)).toMatchObject({ events: { vehicle: 2 }, quarantined: 0 });
  });

  it('streams objects too big to read whole, plain and gzip, keeping line numbers', async () => {
    const source = await tempDir();
    const lake = await tempDir();
    const lines = Array.from({ length: 50_000 }, (_, i) => good(`v${i}`));
    const text = `${lines.join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(8 * 1024 * 1024);
    await writeObject(source, '2019-06-01-15-0-1-events.json', text);
    await writeObject(source, '2019-06-01-15-0-2-events.json.gz', gzipSync(`${text}broken\n`));
    const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', await tempDir()]);
    expect(JSON.parse(result.stdout)).toMatchObject({ events: { vehicle: 100_000 }, quarantined: 1 });
    const rows = await query(
      `SELECT source_object, count(*) AS n, max(source_line) AS last, count(DISTINCT vehicle_id) AS ids FROM '${lake}/vehicle/*/*/*.parquet' GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { source_object: '2019-06-01-15-0-1-events.json', n: '50000', last: '50000', ids: '50000' },
      { source_object: '2019-06-01-15-0-2-events.json.gz', n: '50000', last: '50000', ids: '50000' },
    ]);
    expect((await quarantine(lake)).map((q) => [q.source_object, q.source_line])).toEqual([['2019-06-01-15-0-2-events.json.gz', 50001]]);
  });
});

describe('command-line errors', () => {
  it.each([
    ['a missing source', ['run', '--source', '/nonexistent/src', '--lake', '/tmp/x', '--hour', HOUR], /^eventlake: source folder \/nonexistent\/src does not exist\n$/],
    ['a bad --hour', ['run', '--source', '.', '--lake', '/tmp/x', '--hour', '2019-06-01T25'], /option '--hour <hour>' argument '2019-06-01T25' is invalid/],
    ['an unknown flag', ['run', '--source', '.', '--lake', '/tmp/x', '--hour', HOUR, '--fast'], /unknown option '--fast'/],
    ['a bad --format', ['run', '--source', '.', '--lake', '/tmp/x', '--hour', HOUR, '--format', 'csv'], /option '--format <format>' argument 'csv' is invalid/],
    ['a missing --hour', ['run', '--source', '.', '--lake', '/tmp/x'], /required option '--hour <hour>' not specified/],
    ['a source folder that does not exist', ['run', '--source', 'nowhere', '--lake', 'lake', '--hour', HOUR], /^eventlake: source folder .*nowhere does not exist\n$/],
    ['a bad --workers', ['run', '--source', '.', '--lake', '/tmp/x', '--hour', HOUR, '--workers', '0'], /--workers must be a whole number from 1 to 256/],
    ['too many --workers', ['run', '--source', '.', '--lake', '/tmp/x', '--hour', HOUR, '--workers', '100000'], /--workers must be a whole number from 1 to 256/],
    ['a codec the format lacks', ['run', '--source', 'src', '--lake', 'lake', '--hour', HOUR, '--codec', 'gzip'], /^eventlake: --codec gzip is not available for parquet; use zstd or snappy\n$/],
    ['an hour that has not begun', ['run', '--source', 'src', '--lake', 'lake', '--hour', '2999-01-01T00'], /^eventlake: hour 2999-01-01T00 \(UTC\) has not begun: no file of it can have arrived\n$/],
    ['a backfill reaching past now', ['backfill', '--source', 'src', '--lake', 'lake', '--from', '2999-01-01T00', '--to', '2999-01-01T05'], /^eventlake: hour 2999-01-01T05 \(UTC\) has not begun/],
    ['an hour with no objects', ['run', '--source', 'src', '--lake', 'lake', '--hour', '2019-06-01T16'], /^eventlake: no source objects for hour 2019-06-01T16 under .*src/],
  ])('reports %s in one line, without a stack trace', async (_name, args, message) => {
    const cwd = await tempDir();
    await writeObject(cwd, `src/2019-06-01-15-0-1-events.json`, `${good('x')}\n`);
    const result = await runCli([...args, '--state', `${cwd}/state`], cwd);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it('names a lake that is a file, and shows the stack only with --debug', async () => {
    const cwd = await tempDir();
    await writeObject(cwd, 'src/2019-06-01-15-0-1-events.json', `${good('x')}\n`);
    await writeObject(cwd, 'lake', 'not a folder');
    const plain = await runCli(['run', '--source', 'src', '--lake', 'lake', '--hour', HOUR], cwd);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe(`eventlake: lake folder ${cwd}/lake is not a folder\n`);
    const debug = await runCli(['run', '--source', 'src', '--lake', 'lake', '--hour', HOUR, '--debug'], cwd);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
