/**
 * Turns the workers' staged CSV into the partition's Parquet files with DuckDB: one COPY per
 * entity, using every core, with timestamps as TIMESTAMPTZ (UTC) and doubles as DOUBLE.
 * The staged timestamps are ISO-8601 text ending in Z, which DuckDB reads exactly.
 */
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Column } from '../../events/entity.js';
import { openDuckDb, sqlString } from '../../duckdb/open-duckdb.js';
import type { FinishOptions, PartFile } from '../lake-format.js';
import { partFileName } from '../lake-format.js';
import { csvString } from './typed-csv-writer.js';

const CSV_TYPE: Record<Column['type'], string> = { string: 'VARCHAR', double: 'DOUBLE', timestamp: 'TIMESTAMPTZ' };

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function selectList(columns: readonly Column[]): string {
  const fields = columns.map((c) => `s.${quoteIdent(c.name)}`);
  return [...fields, 'o.source_object', 's.source_line'].join(', ');
}

function csvColumns(columns: readonly Column[]): string {
  const entries = columns.map((c) => `${sqlString(c.name)}: '${CSV_TYPE[c.type]}'`);
  entries.push(`'source_object_index': 'INTEGER'`, `'source_line': 'BIGINT'`);
  return `{${entries.join(', ')}}`;
}

const CSV_OPTIONS = "header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false";

/**
 * DuckDB's Parquet dictionary compares doubles with ==, so -0 and +0 in one column chunk become
 * whichever came first (duckdb/duckdb#25781). Without dictionaries every value is kept, at a
 * few percent of size, so only an hour that holds a -0 pays for it.
 */
async function copyToParquet(db: DuckDBConnection, sourceSql: string, target: string, codec: string, negativeZero: boolean): Promise<void> {
  const dictionary = negativeZero ? ', DICTIONARY_SIZE_LIMIT 0' : '';
  await db.run(`COPY (${sourceSql}) TO ${sqlString(target)} (FORMAT parquet, COMPRESSION ${codec}${dictionary})`);
}

export async function writeParquetParts(options: FinishOptions): Promise<PartFile[]> {
  const { entity, written, objectKeys, partitionDir, scratchDir, codec, targetFileBytes } = options;
  if (written.length === 0) return [];
  await mkdir(scratchDir, { recursive: true });
  await mkdir(partitionDir, { recursive: true });
  const objectsCsv = join(scratchDir, `${entity.name}-objects.csv`);
  await writeFile(objectsCsv, objectKeys.map((key, i) => `${i},${csvString(key)}\n`).join(''));

  const db = await openDuckDb();
  try {
    const files = `[${written.map((w) => sqlString(w.path)).join(', ')}]`;
    const rowsSql =
      `SELECT ${selectList(entity.columns)} ` +
      `FROM read_csv(${files}, ${CSV_OPTIONS}, columns = ${csvColumns(entity.columns)}) s ` +
      `JOIN read_csv(${sqlString(objectsCsv)}, ${CSV_OPTIONS}, columns = {'source_object_index': 'INTEGER', 'source_object': 'VARCHAR'}) o ` +
      `USING (source_object_index)`;
    const whole = join(scratchDir, `${entity.name}.parquet`);
    const negativeZero = written.some((w) => w.negativeZero === true);
    await copyToParquet(db, rowsSql, whole, codec, negativeZero);
    const { size } = await stat(whole);
    const totalRows = written.reduce((n, w) => n + w.rows, 0);
    const count = Math.max(1, Math.ceil(size / targetFileBytes));
    if (count === 1) {
      const path = join(partitionDir, partFileName(0, 'parquet'));
      await rename(whole, path);
      return [{ path, rows: totalRows, bytes: size }];
    }
    // Larger than the target: split into `count` files of about the target size each.
    const parts: PartFile[] = [];
    const perFile = Math.ceil(totalRows / count);
    for (let i = 0; i < count; i++) {
      const path = join(partitionDir, partFileName(i, 'parquet'));
      await copyToParquet(
        db,
        `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(whole)}, file_row_number = true) ` +
          `WHERE file_row_number >= ${i * perFile} AND file_row_number < ${(i + 1) * perFile} ORDER BY file_row_number`,
        path,
        codec,
        negativeZero,
      );
      const rows = Math.max(0, Math.min(perFile, totalRows - i * perFile));
      parts.push({ path, rows, bytes: (await stat(path)).size });
    }
    await rm(whole, { force: true });
    return parts;
  } finally {
    db.closeSync();
  }
}
