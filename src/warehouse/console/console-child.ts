/**
 * The SQL console's own process: one job (a person's query, or its plan), then it exits. Run
 * apart so that the parent can end it at the time limit whatever it is doing, work DuckDB does
 * while preparing included, and so that an answer too big to hold takes down only this process.
 * Rows go back in batches, each sent only when the parent asks for more.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { UserError } from '../../errors/user-error.js';
import { defaultRegistry } from '../../events/entity-registry.js';
import type { ExplainSource, LakeFile } from '../explain-report.js';
import { namedSources } from '../explain-sources.js';
import { LAKE_FILES_TABLE } from '../lake-files-table.js';
import { openConsoleConnection } from './console-connection.js';
import type { ConsoleJob, ConsoleMessage } from './console-job.js';
import { oneLine, refused } from './console-refusal.js';
import { checkConsoleStatement } from './console-statement.js';

/** A batch goes back once it holds this many rows or this much JSON text. */
const BATCH_ROWS = 1000;
const BATCH_BYTES = 1024 * 1024;

function send(message: ConsoleMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send?.(message, (err: Error | null) => (err ? reject(err) : resolve())));
}

let moreWanted: (() => void) | undefined;
process.on('message', (message: { kind?: string }) => {
  if (message.kind === 'more') moreWanted?.();
});
const more = (): Promise<void> => new Promise((resolve) => (moreWanted = resolve));

async function read(connection: DuckDBConnection, sql: string): Promise<void> {
  const prepared = await (await connection.extractStatements(sql)).prepare(0);
  const result = await prepared.stream();
  await send({ kind: 'columns', columns: result.columnNames() });
  let rows: Record<string, unknown>[] = [];
  let sizes: number[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    const batch = { kind: 'rows', rows, sizes } as const;
    rows = [];
    sizes = [];
    bytes = 0;
    await send(batch);
    await more();
  };
  for await (const chunk of result.yieldRowObjectJson()) {
    for (const row of chunk) {
      let size: number;
      try {
        size = JSON.stringify(row).length;
      } catch {
        throw refused('a row of its answer is too large to send: ask for shorter values');
      }
      rows.push(row);
      sizes.push(size);
      bytes += size;
      if (rows.length >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush();
    }
  }
  if (rows.length > 0) await flush();
  await send({ kind: 'end' });
}

/**
 * The plan as DuckDB's structured JSON, the lake files the views were made of, and what the
 * query names by DuckDB's parser, with the files its Parquet paths match (listed by DuckDB's own
 * glob, the pattern bound as a value). The person's text, already one SELECT by the parser,
 * follows EXPLAIN on its own line; the whole is checked again to be one statement, of type
 * EXPLAIN, before it runs. Nothing of the plan is ever run.
 */
async function explain(connection: DuckDBConnection, sql: string): Promise<void> {
  const statements = await connection.extractStatements(`EXPLAIN (FORMAT JSON)\n${sql}\n`);
  if (statements.count !== 1) throw refused(`it holds ${statements.count} statements; send one at a time`);
  const prepared = await statements.prepare(0);
  if (prepared.statementType !== duckdb.StatementType.EXPLAIN) throw refused('it cannot be explained');
  const [row] = (await prepared.runAndReadAll()).getRowObjectsJson();
  const plan = JSON.parse(String(row?.['explain_value'] ?? '[]')) as unknown;
  const listed = await connection.runAndReadAll(
    `SELECT entity, strftime(date, '%Y-%m-%d') AS date, hour, format, path FROM ${LAKE_FILES_TABLE} ORDER BY path`,
  ).catch(() => {
    throw refused('the warehouse was built by an older eventlake: run eventlake warehouse build, then explain again');
  });
  const lakeFiles: LakeFile[] = listed.getRowObjectsJson().map((f) => ({
    entity: String(f['entity']),
    date: String(f['date']),
    hour: Number(f['hour']),
    format: f['format'] === 'avro' ? 'avro' : 'parquet',
    path: String(f['path']),
  }));
  const named = namedSources(await parseTree(connection, sql), defaultRegistry().entities.map((e) => e.name));
  const sources: ExplainSource[] = [
    ...named.views.map((entity) => ({ kind: 'view', entity }) as const),
    ...named.tables.map((entity) => ({ kind: 'table', entity }) as const),
  ];
  for (const patterns of named.paths) {
    sources.push({ kind: 'files', patterns: patterns ?? ['a path that is not a constant'], files: patterns && (await globbed(connection, patterns)) });
  }
  await send({ kind: 'plan', plan, lakeFiles, sources });
}

/** The parse tree of one SELECT, without binding it. */
async function parseTree(connection: DuckDBConnection, sql: string): Promise<unknown> {
  const serialize = await connection.prepare('SELECT json_serialize_sql($1::VARCHAR) AS parsed');
  try {
    serialize.bindVarchar(1, sql);
    const [row] = (await serialize.runAndReadAll()).getRowObjectsJson();
    return JSON.parse(String(row?.['parsed'] ?? '{}')) as unknown;
  } finally {
    serialize.destroySync();
  }
}

/** The files the patterns match, by DuckDB's glob (the lake is the one folder it may list), sorted; undefined when one cannot be listed. */
async function globbed(connection: DuckDBConnection, patterns: readonly string[]): Promise<string[] | undefined> {
  const glob = await connection.prepare('SELECT file FROM glob($1::VARCHAR)');
  try {
    const files = new Set<string>();
    for (const pattern of patterns) {
      glob.bindVarchar(1, pattern);
      for (const row of (await glob.runAndReadAll()).getRowObjectsJson()) files.add(String(row['file']));
    }
    return [...files].sort();
  } catch {
    return undefined;
  } finally {
    glob.destroySync();
  }
}

async function serve(job: ConsoleJob): Promise<void> {
  try {
    const console = await openConsoleConnection(job.stateDir);
    // Decided by the parser before anything is prepared: a refused statement has no effect.
    await checkConsoleStatement(console.connection, job.sql);
    if (job.mode === 'read') await read(console.connection, job.sql);
    else await explain(console.connection, job.sql);
  } catch (err) {
    await send({ kind: 'refused', message: err instanceof UserError ? err.message : refused(oneLine(err)).message });
  }
  process.exit(0);
}

process.once('message', (job: ConsoleJob) => void serve(job));
