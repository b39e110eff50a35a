/**
 * Turns the tasks' staged CSV into the partition's Parquet files with DuckDB in one COPY per
 * entity, with timestamps as TIMESTAMPTZ (UTC) and doubles as DOUBLE. The staged timestamps
 * are ISO-8601 text ending in Z, which DuckDB reads exactly.
 *
 * Rows come out in source order: the staged files are read in list order (which is source
 * order) and each row carries its object's key. An hour that fits one file is written as two
 * halves at once, each on one thread, and joined; one that needs several is cut on one
 * thread. Each COPY runs on one thread, so rows, row groups and file rotation happen in one
 * fixed sequence (two threads with FILE_SIZE_BYTES reorder rows across files), and the same
 * input gives the same bytes.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Column } from '../../events/entity.js';
import { openDuckDb } from '../../duckdb/open-duckdb.js';
import { sqlString } from '../../duckdb/sql-string.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FinishOptions, PartFile, WrittenFile } from '../lake-format.js';
import { joinParquetFiles, ParquetJoinError } from './parquet-file-join.js';
import { partFileName } from '../../pipeline/lake-layout.js';

/**
 * Rows per row group: DuckDB's default, stated because a file can only end on a row-group
 * boundary (a file passes the target by at most one row group) and tests rely on it.
 * Smaller groups would land nearer small targets but compress worse (docs/performance.md,
 * "Tried and not kept").
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
 * On one thread a 4 MiB read buffer (DuckDB's default: 32 MB) made the COPY much faster
 * (docs/performance.md). A staged row must fit in the buffer (a 1 MiB row failed at 256 KiB);
 * rows stay under ~1 MiB because longer source lines are quarantined.
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
 * its Parquet would hardly fit one file (this data's Parquet is a small fraction of its staged
 * CSV: docs/performance.md).
 */
const ONE_FILE_CSV_FACTOR = 8;
/** Each half's DuckDB: one thread in order holds little (measured peaks: docs/performance.md). */
const HALF_MEMORY = '128MB';
/**
 * Staged CSV under this is written by one COPY, not two halves: a second DuckDB and the join
 * cost more than half of so small a COPY (the hour's 4 operating periods took two DuckDBs).
 */
const HALVES_MIN_BYTES = 4 * 1024 * 1024;

export async function writeParquetParts(options: FinishOptions): Promise<PartFile[]> {
  const { written, partitionDir, scratchDir, entity } = options;
  if (written.length === 0) return [];
  const copyDir = join(scratchDir, `${entity.name}-parquet`);
  await mkdir(partitionDir, { recursive: true });
  await rm(copyDir, { recursive: true, force: true });
  await mkdir(copyDir, { recursive: true });
  const sizes: number[] = [];
  for (const w of written) sizes.push((await stat(w.path)).size);
  const staged = sizes.reduce((a, b) => a + b, 0);
  // Most hours fit one file: written as two halves at once, one thread each, joined into one
  // file (parquet-file-join.ts). A file that comes out over the target is thrown away and the
  // hour written again by the rotating COPY: never a file too big.
  let copied: CopiedFile[] | undefined;
  if (staged <= ONE_FILE_CSV_FACTOR * options.targetFileBytes) {
    const one = await copyAsOneFile(options, copyDir, sizes);
    if (one !== undefined && one.bytes <= options.targetFileBytes) copied = [one];
  }
  copied ??= await copyRotating(options, copyDir);

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
 * Where to cut the staged files (in order) into two halves of about equal bytes: the first
 * half is files [0, cut). Each half keeps at least one file.
 */
export function halfwayCut(sizes: readonly number[]): number {
  const total = sizes.reduce((a, b) => a + b, 0);
  let best = 1;
  let bestGap = Infinity;
  let before = 0;
  for (let cut = 1; cut < sizes.length; cut++) {
    before += sizes[cut - 1] as number;
    const gap = Math.abs(2 * before - total);
    if (gap < bestGap) {
      best = cut;
      bestGap = gap;
    }
  }
  return best;
}

/**
 * The hour as one file: two halves written at once, each by its own DuckDB on one thread (a
 * fixed sequence of rows and row groups, so the same bytes every time), then joined: faster
 * than one COPY on two threads, whose order-keeping writer left a core idle part of the time
 * (docs/performance.md). Undefined when the halves cannot be joined (a DuckDB that writes
 * page indexes): the rotating COPY then writes the hour.
 */
async function copyAsOneFile(options: FinishOptions, copyDir: string, sizes: readonly number[]): Promise<CopiedFile | undefined> {
  const path = join(copyDir, 'part-0.parquet');
  const { written } = options;
  if (written.length === 1 || sizes.reduce((a, b) => a + b, 0) < HALVES_MIN_BYTES) {
    return (await copyHalf(options, written, path, join(copyDir, 'spill')))[0];
  }
  const cut = halfwayCut(sizes);
  const halves = [written.slice(0, cut), written.slice(cut)];
  const paths = halves.map((_, i) => join(copyDir, `half-${i}.parquet`));
  // Both COPYs end before anything goes on: one failing must not leave the other writing.
  const copies = await Promise.allSettled(halves.map((files, i) => copyHalf(options, files, paths[i] as string, join(copyDir, `spill-${i}`))));
  for (const copy of copies) if (copy.status === 'rejected') throw copy.reason;
  try {
    return { path, ...joinParquetFiles(paths, path) };
  } catch (err) {
    if (err instanceof ParquetJoinError) return undefined;
    throw err;
  } finally {
    for (const half of paths) await rm(half, { force: true });
  }
}

/** One COPY of some staged files, in order, into one file at `path`, on one thread. */
async function copyHalf(options: FinishOptions, files: readonly WrittenFile[], path: string, spill: string): Promise<CopiedFile[]> {
  const target = `${sqlString(path)} (FORMAT parquet, COMPRESSION ${options.codec}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, RETURN_STATS${dictionaryOption(options)})`;
  return copyRows(options, files, target, async (db) => {
    await db.run(`SET memory_limit = '${HALF_MEMORY}'`);
    await db.run(`SET temp_directory = ${sqlString(spill)}`);
  });
}

/**
 * The hour cut into files at the target on one thread: a single fixed sequence by
 * construction (rows, row groups, file rotation), not by DuckDB's order-keeping machinery,
 * which FILE_SIZE_BYTES does not use. DuckDB starts the next file once one passes the target
 * (checked after each row group, so a file is at most one row group past it).
 */
async function copyRotating(options: FinishOptions, copyDir: string): Promise<CopiedFile[]> {
  // DuckDB writes a folder of files only into an empty one: the one-file attempt's goes first.
  await rm(copyDir, { recursive: true, force: true });
  await mkdir(copyDir, { recursive: true });
  const target = `${sqlString(copyDir)} (FORMAT parquet, COMPRESSION ${options.codec}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, FILE_SIZE_BYTES ${Math.max(1, Math.floor(options.targetFileBytes))}, FILENAME_PATTERN 'part-{i}', RETURN_STATS${dictionaryOption(options)})`;
  return copyRows(options, options.written, target);
}

/**
 * DuckDB's Parquet dictionary compares doubles with ==, so -0 and +0 in one column chunk become
 * whichever came first (duckdb/duckdb#25781). Without dictionaries every value is kept, at a
 * few percent of size, so only an hour that holds a -0 pays for it.
 */
function dictionaryOption(options: FinishOptions): string {
  return options.written.some((w) => w.negativeZero === true) ? ', DICTIONARY_SIZE_LIMIT 0' : '';
}

/** COPYs the staged rows of `files`, in order, TO `target` on a DuckDB of one thread. */
async function copyRows(
  options: FinishOptions,
  files: readonly WrittenFile[],
  target: string,
  configure?: (db: DuckDBConnection) => Promise<void>,
): Promise<CopiedFile[]> {
  const db = await openDuckDb();
  try {
    await db.run('SET threads = 1');
    await db.run('SET preserve_insertion_order = true');
    await configure?.(db);
    const list = `[${files.map((w) => sqlString(w.path)).join(', ')}]`;
    const rowsSql = `SELECT ${selectList(options.entity.columns)} FROM read_csv(${list}, ${ROWS_CSV_OPTIONS}, columns = ${csvColumns(options.entity.columns)})`;
    const reader = await db.runAndReadAll(`COPY (${rowsSql}) TO ${target}`);
    return reader.getRowObjectsJson().map((r) => ({ path: String(r['filename']), rows: Number(r['count']), bytes: Number(r['file_size_bytes']) }));
  } finally {
    db.closeSync();
  }
}
