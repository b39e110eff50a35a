/**
 * Joining DuckDB-written Parquet files into one: the rows in order, the statistics and bloom
 * filters DuckDB prunes with still pointing at the right bytes, and anything it cannot join
 * refused with a ParquetJoinError (the finish then writes the hour another way).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinParquetFiles, ParquetJoinError } from '../../src/formats/parquet/parquet-file-join.js';
import { decodeStruct, encodeStruct, field, T, type ThriftList, type ThriftStruct } from '../../src/formats/parquet/thrift-compact.js';
import { query, tempDir } from '../helpers/fixtures.js';

/** A file of `rows` rows from `first` on, in row groups of 1,000: strings with a dictionary, nulls, doubles, timestamps. */
async function duckdbFile(path: string, first: number, rows: number): Promise<void> {
  await query(
    `COPY (SELECT i AS n, 'id-' || (i % 37) AS id, CASE WHEN i % 5 = 0 THEN NULL ELSE i * 0.25 END AS x, ` +
      `TIMESTAMPTZ '2019-06-01 15:00:00+00' + to_milliseconds(i) AS at, repeat('p', i % 3) AS pad ` +
      `FROM range(${first}, ${first + rows}) t(i) ORDER BY i) TO '${path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000)`,
  );
}

async function footerOf(path: string): Promise<{ bytes: Buffer; footer: ThriftStruct }> {
  const bytes = await readFile(path);
  const length = bytes.readUInt32LE(bytes.length - 8);
  return { bytes, footer: decodeStruct(bytes.subarray(bytes.length - 8 - length, bytes.length - 8)).struct };
}

/** The file again with its footer replaced. */
async function withFooter(path: string, to: string, edit: (footer: ThriftStruct) => void): Promise<void> {
  const { bytes, footer } = await footerOf(path);
  edit(footer);
  const encoded = encodeStruct(footer);
  const length = bytes.readUInt32LE(bytes.length - 8);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(encoded.length, 0);
  tail.write('PAR1', 4);
  await writeFile(to, Buffer.concat([bytes.subarray(0, bytes.length - 8 - length), encoded, tail]));
}

describe('joinParquetFiles', () => {
  it('joins files into one that DuckDB reads as their rows in order, pruning by statistics and bloom filters as before', async () => {
    const dir = await tempDir();
    const inputs = [join(dir, 'a.parquet'), join(dir, 'b.parquet'), join(dir, 'c.parquet')];
    await duckdbFile(inputs[0] as string, 0, 2_500);
    await duckdbFile(inputs[1] as string, 2_500, 1_000);
    await duckdbFile(inputs[2] as string, 3_500, 4_321);
    const out = join(dir, 'joined.parquet');
    const joined = joinParquetFiles(inputs, out);
    expect(joined).toEqual({ rows: 7_821, bytes: (await readFile(out)).length });

    const inOrder = await query(`SELECT count(*) FILTER (WHERE n <> file_row_number) AS misplaced, count(*) AS rows FROM read_parquet('${out}', file_row_number = true)`);
    expect(inOrder).toEqual([{ misplaced: '0', rows: '7821' }]);
    const all = (from: string): Promise<Record<string, unknown>[]> =>
      query(`SELECT n, id, x, "at"::VARCHAR AS at_text, pad FROM ${from} ORDER BY n`);
    expect(await all(`'${out}'`)).toEqual(await all(`read_parquet([${inputs.map((p) => `'${p}'`).join(', ')}])`));

    // The inputs' row groups one after the other, numbered in order.
    const groupRows = async (path: string): Promise<number[]> =>
      (
        await query(`SELECT row_group_id, any_value(row_group_num_rows) AS rows FROM parquet_metadata('${path}') GROUP BY row_group_id ORDER BY row_group_id`)
      ).map((g) => Number(g['rows']));
    const expected = [...(await groupRows(inputs[0] as string)), ...(await groupRows(inputs[1] as string)), ...(await groupRows(inputs[2] as string))];
    expect(expected.length).toBeGreaterThan(3);
    expect(await groupRows(out)).toEqual(expected);
    // Lookups DuckDB answers from the statistics and bloom filters: wrong offsets would read
    // other bytes as a filter and miss rows, or fail.
    for (const id of ['id-0', 'id-36', 'id-nope']) {
      const sql = (from: string): string => `SELECT count(*) AS c, sum(n) AS s FROM ${from} WHERE id = '${id}'`;
      expect(await query(sql(`'${out}'`))).toEqual(await query(sql(`read_parquet('${dir}/[abc].parquet')`)));
    }
    expect(await query(`SELECT count(*) AS c FROM '${out}' WHERE n BETWEEN 2400 AND 3600 AND x IS NULL`)).toEqual([{ c: '241' }]);
    const blooms = await query(`SELECT count(*) AS c FROM parquet_bloom_probe('${out}', 'id', 'id-5') WHERE NOT bloom_filter_excludes`);
    // Every row group holds id-5, so no bloom filter may exclude it; one that pointed at the
    // wrong bytes would not hold it.
    expect(blooms).toEqual([{ c: String(expected.length) }]);
    const excluded = await query(`SELECT count(*) AS c FROM parquet_bloom_probe('${out}', 'id', 'id-nope') WHERE bloom_filter_excludes`);
    expect(excluded).toEqual([{ c: String(expected.length) }]);
  });

  it('gives one file back byte for byte: the footer is read and written without loss', async () => {
    const dir = await tempDir();
    const input = join(dir, 'one.parquet');
    await duckdbFile(input, 0, 3_000);
    const out = join(dir, 'out.parquet');
    joinParquetFiles([input], out);
    expect((await readFile(out)).equals(await readFile(input))).toBe(true);
  });

  it('refuses files it cannot join: another schema, not Parquet, cut short, page indexes, encryption, a footer Thrift cannot read', async () => {
    const dir = await tempDir();
    const good = join(dir, 'good.parquet');
    await duckdbFile(good, 0, 1_500);
    const other = join(dir, 'other.parquet');
    await query(`COPY (SELECT 1 AS n) TO '${other}' (FORMAT parquet)`);
    const text = join(dir, 'text.parquet');
    await writeFile(text, 'PAR1 this is not a parquet file, only its magic PAR1');
    const short = join(dir, 'short.parquet');
    await writeFile(short, (await readFile(good)).subarray(0, 200));
    const indexed = join(dir, 'indexed.parquet');
    await withFooter(good, indexed, (footer) => {
      const rowGroup = (field(footer, 4)?.value as ThriftList).items[0] as ThriftStruct;
      const chunk = (field(rowGroup, 1)?.value as ThriftList).items[0] as ThriftStruct;
      chunk.fields.push({ id: 4, type: T.I64, value: 100n }, { id: 5, type: T.I32, value: 10 });
    });
    const encrypted = join(dir, 'encrypted.parquet');
    await withFooter(good, encrypted, (footer) => footer.fields.push({ id: 8, type: T.STRUCT, value: { fields: [] } }));
    const garbled = join(dir, 'garbled.parquet');
    const bytes = Buffer.from(await readFile(good));
    bytes[bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8)] = 0x1d; // the footer's first field: a type Thrift has not
    await writeFile(garbled, bytes);
    const out = join(dir, 'out.parquet');
    for (const [inputs, message] of [
      [[good, other], 'another schema'],
      [[good, text], 'footer longer than the file'],
      [[good, short], 'not a plain Parquet file'],
      [[good, indexed], 'page indexes'],
      [[good, encrypted], 'encrypted'],
      [[good, garbled], "footer cannot be read: unknown Thrift compact type 13"],
      [[], 'nothing to join'],
    ] as const) {
      expect(() => joinParquetFiles(inputs, out), message).toThrow(ParquetJoinError);
      expect(() => joinParquetFiles(inputs, out)).toThrow(message);
    }
  });
});
