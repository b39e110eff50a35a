/**
 * The SQL console's own process: one job (a person's query, or its plan), then it exits. Run
 * apart so that the parent can end it at the time limit whatever it is doing, work DuckDB does
 * while preparing included, and so that an answer too big to hold takes down only this process.
 * Rows go back in batches, each sent only when the parent asks for more.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../../duckdb/duckdb-api.js';
import { UserError } from '../../errors/user-error.js';
import { openConsoleConnection } from './console-connection.js';
import type { ConsoleJob, ConsoleMessage, ConsolePartition } from './console-job.js';
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
 * The plan as DuckDB's structured JSON, and the lake's partition list to count pruning against.
 * The person's text, already one SELECT by the parser, follows EXPLAIN on its own line; the
 * whole is checked again to be one statement, of type EXPLAIN, before it runs.
 */
async function explain(connection: DuckDBConnection, sql: string): Promise<void> {
  const statements = await connection.extractStatements(`EXPLAIN (FORMAT JSON)\n${sql}\n`);
  if (statements.count !== 1) throw refused(`it holds ${statements.count} statements; send one at a time`);
  const prepared = await statements.prepare(0);
  if (prepared.statementType !== duckdb.StatementType.EXPLAIN) throw refused('it cannot be explained');
  const [row] = (await prepared.runAndReadAll()).getRowObjectsJson();
  const plan = JSON.parse(String(row?.['explain_value'] ?? '[]')) as unknown;
  const loaded = (await connection.runAndReadAll("SELECT entity, strftime(date, '%Y-%m-%d') AS date, hour, signature FROM _loaded_partitions ORDER BY key")).getRowObjectsJson();
  const partitions: ConsolePartition[] = loaded.map((p) => ({
    entity: String(p['entity']),
    date: String(p['date']),
    hour: Number(p['hour']),
    files: String(p['signature'] ?? '').split('|').length,
  }));
  await send({ kind: 'plan', plan, partitions });
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
