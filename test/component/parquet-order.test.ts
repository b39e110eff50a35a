/**
 * Parquet on a realistic hour (big enough that DuckDB works on both cores): rows in source
 * order, within and across part files, and the same bytes from the same input whatever the
 * lake's path.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateHour } from '../../src/generate/synthetic-feed.js';
import { listFiles, query, runCli, tempDir } from '../helpers/fixtures.js';

const HOUR = '2019-06-01T15';
const PARTITION = '/vehicle/date=2019-06-01/hour=15/';
const MIB = 1024 * 1024;

interface Output {
  readonly path: string;
  readonly entity: string;
  readonly rows: number;
  readonly bytes: number;
}

/** Each test runs the CLI on ~340,000 events twice, beside the other test files. */
const SLOW = 180_000;

let source = '';
let events = 0;

beforeAll(async () => {
  source = await tempDir('eventlake-order-src-');
  // 200 vehicles: ~340,000 rows, 3 MiB of Parquet (three parts at 1 MiB), several DuckDB row groups.
  events = (await generateHour({ out: source, hour: new Date(`${HOUR}:00:00Z`), vehicles: 200, seed: 7 })).events;
}, SLOW);

async function runInto(extra: string[] = []): Promise<{ lake: string; outputs: Output[] }> {
  const lake = await tempDir('eventlake-order-lake-');
  const result = await runCli(['run', '--source', source, '--lake', lake, '--hour', HOUR, '--json', '--state', await tempDir(), ...extra]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const summary = JSON.parse(result.stdout) as { outputs: Output[] };
  return { lake, outputs: summary.outputs };
}

/** Every generated event is valid: all but the operating periods are vehicle rows. */
function vehicleRows(outputs: readonly Output[]): number {
  return events - outputs.filter((o) => o.entity === 'operating_period').reduce((n, o) => n + o.rows, 0);
}

/** sha256 of every Parquet file, keyed by its path inside the lake. */
async function hashes(lake: string): Promise<Record<string, string>> {
  const files = (await listFiles(lake)).filter((f) => f.endsWith('.parquet')).sort();
  const entries = await Promise.all(files.map(async (f) => [f.slice(lake.length), createHash('sha256').update(await readFile(f)).digest('hex')] as const));
  return Object.fromEntries(entries);
}

/**
 * Rows out of source order, reading the part files in name order and each file in its row
 * order: source_object compared byte-wise (DuckDB VARCHAR), then source_line, strictly rising.
 */
async function outOfOrder(lake: string): Promise<number> {
  const rows = await query(
    `SELECT count(*) AS n FROM (SELECT source_object, source_line, ` +
      `lag(source_object) OVER w AS po, lag(source_line) OVER w AS pl ` +
      `FROM read_parquet('${lake}${PARTITION}*.parquet', filename = true, file_row_number = true) ` +
      `WINDOW w AS (ORDER BY filename, file_row_number)) ` +
      `WHERE po > source_object OR (po = source_object AND pl >= source_line)`,
  );
  return Number(rows[0]?.['n']);
}

describe('Parquet rows in source order, same bytes on every run', () => {
  it('one part file: ordered, identical in two lakes', async () => {
    const a = await runInto();
    const b = await runInto();
    const parts = a.outputs.filter((o) => o.entity === 'vehicle');
    expect(parts.map((p) => p.path.slice(a.lake.length))).toEqual([`${PARTITION}part-00000.parquet`]);
    expect(parts[0]?.rows).toBe(vehicleRows(a.outputs));
    expect(await outOfOrder(a.lake)).toBe(0);
    expect(await outOfOrder(b.lake)).toBe(0);
    expect(await hashes(b.lake)).toEqual(await hashes(a.lake));
  }, SLOW);

  it('split to --target-file-mb 1: several files of about the target, ordered across files, identical in two lakes', async () => {
    const a = await runInto(['--target-file-mb', '1']);
    const b = await runInto(['--target-file-mb', '1']);
    const parts = a.outputs.filter((o) => o.entity === 'vehicle');
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((p) => p.path.slice(a.lake.length))).toEqual(parts.map((_, i) => `${PARTITION}part-${String(i).padStart(5, '0')}.parquet`));
    const total = parts.reduce((n, p) => n + p.bytes, 0);
    // About the target: never an extra file, none far past the target, only the last one small.
    expect(parts.length).toBeLessThanOrEqual(Math.ceil(total / MIB));
    for (const part of parts) expect(part.bytes).toBeLessThan(1.5 * MIB);
    for (const part of parts.slice(0, -1)) expect(part.bytes).toBeGreaterThan(0.5 * MIB);
    // Rows as reported, none empty, all of them there.
    const perFile = await query(`SELECT filename, count(*) AS n FROM read_parquet('${a.lake}${PARTITION}*.parquet', filename = true) GROUP BY 1 ORDER BY 1`);
    expect(perFile.map((r) => Number(r['n']))).toEqual(parts.map((p) => p.rows));
    expect(parts.every((p) => p.rows > 0)).toBe(true);
    expect(parts.reduce((n, p) => n + p.rows, 0)).toBe(vehicleRows(a.outputs));
    expect(await outOfOrder(a.lake)).toBe(0);
    expect(await outOfOrder(b.lake)).toBe(0);
    expect(await hashes(b.lake)).toEqual(await hashes(a.lake));
  }, SLOW);
});
