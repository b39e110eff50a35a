/**
 * The Parquet finisher on hand-made staged CSV, with targets far below what the CLI allows
 * (whole MiB): every part holds rows, parts follow the staged order, names follow the rows.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/events/entity-registry.js';
import type { Entity } from '../../src/events/entity.js';
import type { WrittenFile } from '../../src/formats/lake-format.js';
import { ROW_GROUP_ROWS, writeParquetParts } from '../../src/formats/parquet/duckdb-parquet-writer.js';
import { csvString } from '../../src/formats/parquet/typed-csv-writer.js';
import { MAX_LINE_BYTES } from '../../src/pipeline/line-splitter.js';
import { query, tempDir } from '../helpers/fixtures.js';

const AT = '2019-06-01T15:00:00.000Z';
const KEYS = ['2019-06-01-15-0-0-events.json', '2019-06-01-15-0-1-events.json', 'a,"quoted" key.json'];

function vehicleEntity(): Entity {
  const entity = defaultRegistry().entities.find((e) => e.name === 'vehicle');
  if (!entity) throw new Error('no vehicle entity');
  return entity;
}

/** One staged vehicle row in the typed-CSV layout: the entity's columns, object key, line. */
function csvRow(vehicleId: string, objectIndex: number, line: number): string {
  return `update,${AT},org,${vehicleId},52.5,13.4,${AT},${csvString(KEYS[objectIndex] as string)},${line}\n`;
}

async function stage(dir: string, name: string, rows: string[]): Promise<WrittenFile> {
  const path = join(dir, name);
  await writeFile(path, rows.join(''));
  return { path, rows: rows.length };
}

async function finish(written: WrittenFile[], targetFileBytes: number): Promise<{ dir: string; parts: Awaited<ReturnType<typeof writeParquetParts>> }> {
  const dir = await tempDir('eventlake-parquet-parts-');
  const partitionDir = join(dir, 'partition');
  const parts = await writeParquetParts({
    entity: vehicleEntity(),
    written,
    partitionDir,
    scratchDir: join(dir, 'scratch'),
    codec: 'zstd',
    targetFileBytes,
  });
  return { dir: partitionDir, parts };
}

async function rowsOf(dir: string): Promise<{ file: string; source_object: string; source_line: number }[]> {
  const rows = await query(
    `SELECT parse_filename(filename) AS file, source_object, source_line FROM read_parquet('${dir}/*.parquet', filename = true, file_row_number = true) ` +
      `ORDER BY filename, file_row_number`,
  );
  return rows.map((r) => ({ file: r['file'] as string, source_object: r['source_object'] as string, source_line: Number(r['source_line']) }));
}

describe('writeParquetParts', () => {
  it('never writes an empty part when one row is larger than the target', async () => {
    const staging = await tempDir();
    // Incompressible ids of 20 kB: each row alone is far past the 1 kB target.
    const big = (): string => randomBytes(10_000).toString('hex');
    const written = [await stage(staging, 'w0.csv', [csvRow(big(), 0, 1), csvRow(big(), 0, 2)]), await stage(staging, 'w1.csv', [csvRow(big(), 2, 5)])];
    const { dir, parts } = await finish(written, 1000);
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) expect(part.rows).toBeGreaterThan(0);
    expect((await readdir(dir)).sort()).toEqual(parts.map((_, i) => `part-${String(i).padStart(5, '0')}.parquet`));
    const rows = await rowsOf(dir);
    expect(rows.map((r) => [r.source_object, r.source_line])).toEqual([
      [KEYS[0], 1],
      [KEYS[0], 2],
      [KEYS[2], 5],
    ]);
    const perFile = new Map<string, number>();
    for (const r of rows) perFile.set(r.file, (perFile.get(r.file) ?? 0) + 1);
    expect(parts.map((p) => perFile.get(p.path.split('/').at(-1) as string))).toEqual(parts.map((p) => p.rows));
  });

  it('splits many rows by a tiny target: no empty part, staged order kept across parts', async () => {
    const staging = await tempDir();
    // Past a tiny target, each row group is a file; ending exactly on a row-group boundary,
    // DuckDB starts one more file after the last rotation and leaves it with 0 rows.
    const count = 2 * ROW_GROUP_ROWS;
    const half = count / 2;
    const rows = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => csvRow(`v${(from + i) % 1000}`, from + i < half ? 0 : 1, from + i + 1));
    const written = [await stage(staging, 'w0.csv', rows(0, half)), await stage(staging, 'w1.csv', rows(half, count))];
    const { dir, parts } = await finish(written, 1000);
    expect(parts.map((p) => p.rows)).toEqual([ROW_GROUP_ROWS, ROW_GROUP_ROWS]);
    for (const part of parts) expect(part.rows).toBeGreaterThan(0);
    expect(parts.reduce((n, p) => n + p.rows, 0)).toBe(count);
    expect((await readdir(dir)).sort()).toEqual(parts.map((_, i) => `part-${String(i).padStart(5, '0')}.parquet`));
    // Line numbers run 1..count across the parts in name order, keys switch once at half.
    const order = await query(
      `SELECT count(*) FILTER (WHERE source_line <> n) AS misplaced, count(DISTINCT source_object) FILTER (WHERE n <= ${half}) AS first, ` +
        `count(DISTINCT source_object) FILTER (WHERE n > ${half}) AS second, min(source_object) FILTER (WHERE n > ${half}) AS second_key ` +
        `FROM (SELECT source_object, source_line, row_number() OVER (ORDER BY filename, file_row_number) AS n ` +
        `FROM read_parquet('${dir}/*.parquet', filename = true, file_row_number = true))`,
    );
    expect(order).toEqual([{ misplaced: '0', first: '1', second: '1', second_key: KEYS[1] }]);
  });

  it('writes an hour that fits one file as two halves joined, in staged order, the same bytes on every rerun; over the target it is cut on one thread, order kept', async () => {
    const staging = await tempDir();
    // Many staged files of uneven size, cut into halves of about equal bytes.
    const written: WrittenFile[] = [];
    let line = 0;
    for (let f = 0; f < 12; f++) {
      const rows = Array.from({ length: 7_000 + 3_001 * f }, () => csvRow(`v${line % 997}`, f % 3, ++line));
      written.push(await stage(staging, `w${f}.csv`, rows));
    }
    const big = await finish(written, 128 * 1024 * 1024);
    expect(big.parts.map((p) => p.rows)).toEqual([line]);
    const order = await query(
      `SELECT count(*) FILTER (WHERE source_line <> file_row_number + 1) AS misplaced FROM read_parquet('${big.dir}/*.parquet', file_row_number = true)`,
    );
    expect(order).toEqual([{ misplaced: '0' }]);
    // Each half ends in a short row group of its own: the first half's is inside the file.
    const groups = await query(
      `SELECT any_value(row_group_num_rows) AS n FROM parquet_metadata('${big.dir}/part-00000.parquet') GROUP BY row_group_id ORDER BY row_group_id`,
    );
    const sizes = groups.map((g) => Number(g['n']));
    expect(sizes.slice(0, -1).some((n) => n < ROW_GROUP_ROWS)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(line);
    // Lookups DuckDB prunes by statistics and bloom filters find every row of the halves.
    const lookups = await query(
      `SELECT (SELECT count(*) FROM read_parquet('${big.dir}/*.parquet') WHERE vehicle_id = 'v996') AS last_id, ` +
        `(SELECT count(*) FROM read_parquet('${big.dir}/*.parquet') WHERE source_line BETWEEN 60000 AND 70000) AS span`,
    );
    expect(lookups).toEqual([{ last_id: String(Math.floor((line - 996) / 997) + 1), span: '10001' }]);
    const again = await finish(written, 128 * 1024 * 1024);
    const bytes = async (dir: string): Promise<Buffer> => readFile(join(dir, 'part-00000.parquet'));
    expect((await bytes(again.dir)).equals(await bytes(big.dir))).toBe(true);
    // A target half the one file's size: that file is thrown away and the hour cut on one
    // thread into several files, holding the same rows in the same order.
    const cut = await finish(written, Math.floor((big.parts[0]?.bytes ?? 0) / 2));
    expect(cut.parts.length).toBeGreaterThan(1);
    const cutOrder = await query(
      `SELECT count(*) FILTER (WHERE source_line <> n) AS misplaced, count(*) AS n FROM (SELECT source_line, row_number() OVER (ORDER BY filename, file_row_number) AS n ` +
        `FROM read_parquet('${cut.dir}/*.parquet', filename = true, file_row_number = true))`,
    );
    expect(cutOrder).toEqual([{ misplaced: '0', n: String(line) }]);
  });

  it('writes a small hour of several staged files in one COPY: one row group, no halves joined', async () => {
    const staging = await tempDir();
    const written = [await stage(staging, 'w0.csv', [csvRow('a', 0, 1), csvRow('b', 0, 2)]), await stage(staging, 'w1.csv', [csvRow('c', 1, 1)])];
    const { dir, parts } = await finish(written, 128 * 1024 * 1024);
    expect(parts.map((p) => p.rows)).toEqual([3]);
    const groups = await query(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata('${dir}/part-00000.parquet')`);
    expect(groups).toEqual([{ n: '1' }]);
    const rows = await query(`SELECT vehicle_id FROM read_parquet('${dir}/*.parquet')`);
    expect(rows.map((r) => r['vehicle_id'])).toEqual(['a', 'b', 'c']);
  });

  it('when one half fails, waits for the other half to end before failing, so nothing is left writing', async () => {
    const staging = await tempDir();
    const big = await stage(staging, 'w0.csv', Array.from({ length: 300_000 }, (_, i) => csvRow(`v${i % 997}`, 0, i + 1)));
    // A staged row DuckDB cannot read (never written by the writers): the second half's COPY fails at once.
    const bad = await stage(staging, 'bad.csv', [csvRow('v1', 1, 1).replace('52.5', 'not-a-number')]);
    const dir = await tempDir('eventlake-parquet-parts-');
    const finishing = writeParquetParts({
      entity: vehicleEntity(),
      written: [big, bad],
        partitionDir: join(dir, 'partition'),
      scratchDir: join(dir, 'scratch'),
      codec: 'zstd',
      targetFileBytes: 128 * 1024 * 1024,
    });
    await expect(finishing).rejects.toThrow(/not-a-number/);
    // The first half's COPY had ended: its file is whole.
    const rows = await query(`SELECT count(*) AS n FROM read_parquet('${join(dir, 'scratch', 'vehicle-parquet', 'half-0.parquet')}')`);
    expect(rows).toEqual([{ n: '300000' }]);
  });

  it('reads a staged row as long as the longest accepted source line', async () => {
    const staging = await tempDir();
    // The read buffer is smaller than DuckDB's default: a row near the line limit must still fit.
    const long = 'x'.repeat(MAX_LINE_BYTES - 200);
    const written = [await stage(staging, 'w0.csv', [csvRow('short', 0, 1), csvRow(long, 0, 2), csvRow('short', 1, 1)])];
    const { dir, parts } = await finish(written, 128 * 1024 * 1024);
    expect(parts.map((p) => p.rows)).toEqual([3]);
    const back = await query(`SELECT length(vehicle_id) AS n, source_line FROM read_parquet('${dir}/*.parquet') ORDER BY source_object, source_line`);
    expect(back.map((r) => r['n'])).toEqual(['5', String(long.length), '5']);
  });

  it('writes nothing when no worker staged a row', async () => {
    const { parts } = await finish([], 1000);
    expect(parts).toEqual([]);
  });
});
