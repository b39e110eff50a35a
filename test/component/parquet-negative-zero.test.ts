/**
 * -0 survives Parquet staging and DuckDB's writer on both paths, also when the finisher splits
 * an hour into several files, and beside +0 in a column DuckDB would dictionary-encode.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RowValue } from '../../src/events/entity.js';
import { vehicle } from '../../src/events/vehicle.js';
import { writeParquetParts } from '../../src/formats/parquet/duckdb-parquet-writer.js';
import { TypedCsvWriter } from '../../src/formats/parquet/typed-csv-writer.js';
import { query, tempDir } from '../helpers/fixtures.js';

const AT = '2019-06-01T18:23:57.196Z';
const AT_MS = Date.parse(AT);

/** A fast-path row: spans over `{"lat":<lat>,…}`-like text, in column order. */
function spansRow(lat: string, lng: string): { buf: Buffer; spans: Int32Array } {
  const parts = ['update', AT, 'org', 'v', lat, lng, AT];
  const spans = new Int32Array(2 * parts.length);
  let text = '';
  parts.forEach((part, i) => {
    spans[2 * i] = text.length;
    text += part;
    spans[2 * i + 1] = text.length;
    text += '|';
  });
  return { buf: Buffer.from(text), spans };
}

/** A full row (the JSON.parse path) or the lat and lng text of a fast-path row. */
type Staged = readonly RowValue[] | readonly [string, string];
const isSpans = (row: Staged): row is readonly [string, string] => row.length === 2;

async function stage(rows: readonly Staged[]): Promise<{ dir: string; writer: TypedCsvWriter }> {
  const dir = await tempDir();
  const writer = new TypedCsvWriter({ entity: vehicle, dir: join(dir, 'stage'), objectKeys: ['k'], codec: 'zstd' }, 'w0.csv');
  rows.forEach((row, i) => {
    if (isSpans(row)) {
      const { buf, spans } = spansRow(row[0], row[1]);
      writer.writeSpans(buf, spans, 0, i + 1);
    } else {
      writer.write(row, 0, i + 1);
    }
  });
  return { dir, writer };
}

/** The staged rows as Parquet files of about `targetFileBytes`: how many, and their list for read_parquet. */
async function writeParts(dir: string, written: Awaited<ReturnType<TypedCsvWriter['close']>>, targetFileBytes: number): Promise<{ parts: number; files: string }> {
  const parts = await writeParquetParts({ entity: vehicle, written, partitionDir: join(dir, 'out'), scratchDir: join(dir, 'scratch'), codec: 'zstd', targetFileBytes });
  return { parts: parts.length, files: `[${parts.map((p) => `'${p.path}'`).join(', ')}]` };
}

describe('TypedCsvWriter', () => {
  const zeros = (n: number): string => `-0.${'0'.repeat(n)}`;
  it.each([
    ['-0', '-0', true],
    ['-0.000', '-0.000', true],
    ['-0.5', '-0.5', false],
    ['-10', '-10', false],
    ['0', '0', false],
    ['0.0', '0.0', false],
    // Parses to -0.0: the sign bit of the parsed value decides, not the digits.
    ['-0.(330 zeros)1', `${zeros(330)}1`, true],
    // 1e-300 is a normal double; 5e-323 a subnormal one: neither is zero.
    ['-0.(299 zeros)1', `${zeros(299)}1`, false],
    ['-0.(322 zeros)5', `${zeros(322)}5`, false],
  ])('reports a fast-path span %s as negative zero: %s', async (_label, text, negativeZero) => {
    const { writer } = await stage([['52.5', text]]);
    expect((await writer.close())[0]?.negativeZero).toBe(negativeZero);
  });

  it('stages -0 from the full checks as "-0" and reports it', async () => {
    const plus = await stage([['update', AT_MS, 'org', 'v', 0, 13.4, null]]);
    expect((await plus.writer.close())[0]?.negativeZero).toBe(false);
    const minus = await stage([['update', AT_MS, 'org', 'v', -0, 13.4, null]]);
    const [file] = await minus.writer.close();
    expect(file?.negativeZero).toBe(true);
    expect(await readFile(file?.path ?? '', 'utf8')).toBe(`update,${AT},org,v,-0,13.4,,k,1\n`);
  });
});

describe('writeParquetParts', () => {
  it('keeps +0 rows +0 beside a fast-path decimal that underflows to -0 in the same column chunk', async () => {
    const underflow = `-0.${'0'.repeat(330)}1`;
    // Eight ordinary "lat":0 rows first: a dictionary merging +0 and -0 gives them all one sign.
    const rows: Staged[] = [...Array.from({ length: 8 }, (): Staged => ['0', '13.4']), [underflow, '13.4'], ['0', '13.4']];
    const { dir, writer } = await stage(rows);
    const written = await writer.close();
    expect(written[0]?.negativeZero).toBe(true);
    const { files } = await writeParts(dir, written, 64 * 1024 * 1024);
    const signs = await query(`SELECT source_line, signbit(lat) AS negative FROM read_parquet(${files}) ORDER BY source_line`);
    expect(signs.map((r) => r['negative'])).toEqual([false, false, false, false, false, false, false, false, true, false]);
  });

  it('keeps -0 beside +0 in every part of a split hour', async () => {
    // Three values, two of them equal under ==: DuckDB would pick a dictionary for lat and lng.
    const rows: Staged[] = [];
    // More rows than one row group: a file can only end on a row-group boundary.
    for (let i = 0; i < 250_000; i++) {
      const sign = i % 3 === 0 ? '-0' : i % 3 === 1 ? '0' : '1.5';
      rows.push(i % 2 === 0 ? [sign, sign] : ['update', AT_MS, 'org', 'v', Number(sign), Number(sign), AT_MS]);
    }
    const { dir, writer } = await stage(rows);
    const written = await writer.close();
    const { parts, files } = await writeParts(dir, written, 4096);
    expect(parts).toBeGreaterThan(1);
    const [check] = await query(
      `SELECT count(*) AS n, count(*) FILTER (WHERE signbit(lat) <> (source_line % 3 = 1) OR signbit(lng) <> (source_line % 3 = 1)) AS wrong FROM read_parquet(${files})`,
    );
    expect(check).toEqual({ n: '250000', wrong: '0' });
  });
});
