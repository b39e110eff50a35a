/**
 * Turns the tasks' staged CSV into the partition's Parquet files with DuckDB in one COPY per
 * entity, with timestamps as TIMESTAMPTZ (UTC) and doubles as DOUBLE. The staged timestamps
 * are ISO-8601 text ending in Z, which DuckDB reads exactly.
 *
 * Rows come out in source order: the staged files are read in list order (which is source
 * order) and each row carries its object's key. An hour that fits one file is written on two
 * threads by DuckDB's order-keeping writer; one that needs several is cut on one thread, so
 * rows, row groups and file rotation happen in one fixed sequence (two threads with
 * FILE_SIZE_BYTES reorder rows across files). Either way the same input gives the same bytes.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Column } from '../../events/entity.js';
import { openDuckDb } from '../../duckdb/open-duckdb.js';
import { sqlString } from '../../duckdb/sql-string.js';
import type { FinishOptions, PartFile } from '../lake-format.js';
import { partFileName } from '../../pipeline/lake-layout.js';

/**
 * Rows per row group: DuckDB's default, stated because a file can only end on a row-group
 * boundary (a file passes the target by at most one row group) and tests rely on it.
 * Smaller groups would land nearer small targets but compress worse (measured: ~2,000-row
 * groups made the 300-vehicle hour's Parquet 1.7× larger).
 */
export const ROW_GROUP_ROWS = 122_880;

const CSV_TYPE: Record<Column['type'], string> = { string: 'VARCHAR', double: 'DOUBLE', timestamp: 'TIMESTAMPTZ' };

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function selectList(columns: readonly Column[]): string {
  return [...columns.map((c) => quoteIdent(c.name)), 'source_object', 'source_line'].join(', ');
}

function csvColumns(columns: readonly Column[]): string {
  const entries = columns.map((c) => `${sqlString(c.name)}: '${CSV_TYPE[c.type]}'`);
  entries.push(`'source_object': 'VARCHAR'`, `'source_line': 'BIGINT'`);
  return `{${entries.join(', ')}}`;
}

const CSV_OPTIONS = "header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false";
/**
 * On one thread a 4 MiB read buffer (DuckDB's default: 32 MB) cut the 1,000-vehicle hour's
 * COPY from ~3.2 s to ~1.8 s (median of 7). A staged row must fit in the buffer (a 1 MiB row
 * failed at 256 KiB); rows stay under ~1 MiB because longer source lines are quarantined.
 */
const ROWS_CSV_OPTIONS = `${CSV_OPTIONS}, buffer_size = ${4 * 1024 * 1024}`;

interface CopiedFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

/** The file index in DuckDB's `part-{i}` name. */
function fileIndex(path: string): number {
  const match = /^part-(\d+)\.parquet$/.exec(basename(path));
  if (!match) throw new Error(`unexpected file from DuckDB's COPY: ${path}`);
  return Number(match[1]);
}

/**
 * Staged CSV over this many times the target goes straight to the rotating one-thread COPY:
 * its Parquet would hardly fit one file (this data's Parquet is ~8% of its staged CSV).
 */
const ONE_FILE_CSV_FACTOR = 8;
const ONE_FILE_MEMORY = '192MB';

export async function writeParquetParts(options: FinishOptions): Promise<PartFile[]> {
  const { written, partitionDir, scratchDir, entity } = options;
  if (written.length === 0) return [];
  const copyDir = join(scratchDir, `${entity.name}-parquet`);
  await mkdir(partitionDir, { recursive: true });
  let staged = 0;
  for (const w of written) staged += (await stat(w.path)).size;
  // Most hours fit one file: DuckDB then writes it on two threads, its order-keeping writer
  // putting the row groups back in order (measured ~30% faster than one thread, and the same
  // bytes as the rotating COPY gives for one file). A file that comes out over the target is
  // thrown away and the hour written again by the rotating COPY: never a file too big.
  let copied: CopiedFile[] | undefined;
  if (staged <= ONE_FILE_CSV_FACTOR * options.targetFileBytes) {
    copied = await copyStaged(options, copyDir, 'one file');
    if (copied.some((f) => f.bytes > options.targetFileBytes)) copied = undefined;
  }
  copied ??= await copyStaged(options, copyDir, 'rotating');

  // DuckDB leaves a 0-row file after the last rotation when the rows end on a row-group
  // boundary: never a part (it goes with the copy folder). The rest are renamed in file
  // order, which is row order.
  const parts: PartFile[] = [];
  for (const file of copied.sort((a, b) => fileIndex(a.path) - fileIndex(b.path))) {
    if (file.rows === 0) continue;
    const path = join(partitionDir, partFileName(parts.length, 'parquet'));
    await rename(file.path, path);
    parts.push({ path, rows: file.rows, bytes: file.bytes });
  }
  await rm(copyDir, { recursive: true, force: true });
  return parts;
}

/**
 * One COPY of the staged rows into `copyDir`: either one file on two threads, or files cut at
 * the target on one thread.
 */
async function copyStaged(options: FinishOptions, copyDir: string, mode: 'one file' | 'rotating'): Promise<CopiedFile[]> {
  const { entity, written, codec, targetFileBytes } = options;
  // DuckDB's Parquet dictionary compares doubles with ==, so -0 and +0 in one column chunk become
  // whichever came first (duckdb/duckdb#25781). Without dictionaries every value is kept, at a
  // few percent of size, so only an hour that holds a -0 pays for it.
  const dictionary = written.some((w) => w.negativeZero === true) ? ', DICTIONARY_SIZE_LIMIT 0' : '';
  await rm(copyDir, { recursive: true, force: true });
  await mkdir(copyDir, { recursive: true });
  const db = await openDuckDb();
  try {
    // Rotating: one thread, a single fixed sequence by construction (rows, row groups, file
    // rotation), not by DuckDB's order-keeping machinery, which FILE_SIZE_BYTES does not use.
    await db.run(`SET threads = ${mode === 'one file' ? 2 : 1}`);
    await db.run('SET preserve_insertion_order = true');
    if (mode === 'one file') {
      // The order-keeping writer holds the batches one thread finished ahead of the other:
      // unbounded, the gzipped hour peaked at 470 MiB. At 192 MB it is as fast (measured; at
      // 128 MB it slowed to one thread's pace). Anything that must spill goes to scratch.
      await db.run(`SET memory_limit = '${ONE_FILE_MEMORY}'`);
      await db.run(`SET temp_directory = ${sqlString(join(copyDir, 'spill'))}`);
    }
    const files = `[${written.map((w) => sqlString(w.path)).join(', ')}]`;
    const rowsSql = `SELECT ${selectList(entity.columns)} FROM read_csv(${files}, ${ROWS_CSV_OPTIONS}, columns = ${csvColumns(entity.columns)})`;
    // Rotating, DuckDB starts the next file once one passes the target (checked after each
    // row group, so a file is at most one row group past it).
    const target =
      mode === 'one file'
        ? `${sqlString(join(copyDir, 'part-0.parquet'))} (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, RETURN_STATS${dictionary})`
        : `${sqlString(copyDir)} (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, FILE_SIZE_BYTES ${Math.max(1, Math.floor(targetFileBytes))}, FILENAME_PATTERN 'part-{i}', RETURN_STATS${dictionary})`;
    const reader = await db.runAndReadAll(`COPY (${rowsSql}) TO ${target}`);
    return reader.getRowObjectsJson().map((r) => ({ path: String(r['filename']), rows: Number(r['count']), bytes: Number(r['file_size_bytes']) }));
  } finally {
    db.closeSync();
  }
}
