/**
 * The SQL console, parent side: every person's query (CLI `sql` and `explain`, `POST /api/sql`)
 * runs in a process of its own (console-child.ts), ended at its time limit with SIGKILL whatever
 * it is doing, DuckDB's prepare-time work included, which `interrupt()` does not reach. Rows
 * stream back in batches, each asked for when the last is handled, so a slow reader of the
 * answer holds the query back instead of piling rows up in memory.
 */
import { fork } from 'node:child_process';
import { UserError } from '../../errors/user-error.js';
import { childScript } from './child-script.js';
import type { ExplainSource, LakeFile } from '../explain-report.js';
import type { ConsoleJob, ConsoleMessage } from './console-job.js';
import { cancelled, megabytes, refused, stoppedAtLimit } from './console-refusal.js';

/** Told of each batch of rows; answers false to end the query there. */
export interface RowSink {
  columns(columns: string[]): void;
  rows(rows: Record<string, unknown>[], sizes: number[]): Promise<boolean> | boolean;
}

/** The jobs running now, by state folder: cancelConsoleQueries ends them. */
const running = new Map<string, Set<(err: Error) => void>>();

/**
 * Ends every console query running on this state folder now (its process is killed): each caller
 * gets "the query was cancelled". Returns how many there were.
 */
export function cancelConsoleQueries(stateDir: string): number {
  const jobs = [...(running.get(stateDir) ?? [])];
  for (const end of jobs) end(cancelled());
  return jobs.length;
}

/** Runs one job in its own process; `handle` sees each message and says whether to go on. */
async function runJob(job: ConsoleJob, timeoutMs: number, handle: (message: ConsoleMessage) => Promise<'more' | 'stop' | 'done'>): Promise<void> {
  const child = fork(childScript(new URL('./console-child.js', import.meta.url)), [], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-2000)));
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const jobs = running.get(job.stateDir) ?? new Set<(err: Error) => void>();
    running.set(job.stateDir, jobs);
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      jobs.delete(finish);
      if (jobs.size === 0 && running.get(job.stateDir) === jobs) running.delete(job.stateDir);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(stoppedAtLimit(timeoutMs)), timeoutMs);
    jobs.add(finish);
    child.on('message', (message: ConsoleMessage) => {
      if (settled) return;
      if (message.kind === 'refused') {
        finish(new UserError(message.message));
        return;
      }
      handle(message).then(
        (next) => {
          if (settled) return;
          if (next !== 'more') finish();
          // The process may have ended meanwhile: its 'close' then tells why.
          else if (child.connected) child.send({ kind: 'more' }, () => undefined);
        },
        (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
      );
    });
    child.on('error', (err) => finish(err));
    // 'close', not 'exit': the messages sent before the process ended are all handled first.
    child.on('close', (code, signal) => {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      const memory = /heap out of memory|Invalid string length|Allocation failed/i.test(stderr);
      finish(
        refused(
          memory
            ? 'its answer was too large to hold: ask for fewer rows, fewer columns or shorter values'
            : `the process answering it ended without an answer (${signal ?? `exit code ${code}`}${last ? `: ${last}` : ''})`,
        ),
      );
    });
    child.send(job, () => undefined);
  });
}

export interface StreamLimits {
  readonly timeoutMs: number;
}

/** A person's SELECT, its rows handed to `sink` batch by batch until it ends or the sink stops it. */
export async function streamConsoleQuery(stateDir: string, sql: string, limits: StreamLimits, sink: RowSink): Promise<void> {
  await runJob({ mode: 'read', stateDir, sql }, limits.timeoutMs, async (message) => {
    if (message.kind === 'columns') {
      sink.columns(message.columns);
      return 'more';
    }
    if (message.kind === 'rows') return (await sink.rows(message.rows, message.sizes)) ? 'more' : 'stop';
    return 'done';
  });
}

export interface CollectLimits extends StreamLimits {
  readonly maxRows: number;
  readonly maxBytes: number;
}

export interface CollectedAnswer {
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
  /** More rows than maxRows: only the first maxRows came back. */
  readonly truncated: boolean;
}

/** At most `maxRows` rows, refused in one sentence once those rows as JSON text pass `maxBytes`. */
export async function collectConsoleQuery(stateDir: string, sql: string, limits: CollectLimits): Promise<CollectedAnswer> {
  let columns: string[] = [];
  const rows: Record<string, unknown>[] = [];
  let bytes = 0;
  let truncated = false;
  await streamConsoleQuery(stateDir, sql, limits, {
    columns: (names) => (columns = names),
    rows(batch, sizes) {
      for (const [i, row] of batch.entries()) {
        // One row past the cap tells whether there were more, without reading them all.
        if (rows.length === limits.maxRows) {
          truncated = true;
          return false;
        }
        bytes += sizes[i] ?? 0;
        if (bytes > limits.maxBytes) {
          throw refused(
            `its answer passed the ${megabytes(limits.maxBytes)} it may be at row ${rows.length + 1}: ask for fewer rows, fewer columns or shorter values`,
          );
        }
        rows.push(row);
      }
      return true;
    },
  });
  return { columns, rows, truncated };
}

export interface ConsolePlan {
  readonly plan: unknown;
  readonly lakeFiles: LakeFile[];
  readonly sources: ExplainSource[];
}

/** DuckDB's plan of a person's SELECT (EXPLAIN (FORMAT JSON)), the lake files its views were made of, and what it names. */
export async function explainConsoleQuery(stateDir: string, sql: string, timeoutMs: number): Promise<ConsolePlan> {
  let answer: ConsolePlan | undefined;
  await runJob({ mode: 'explain', stateDir, sql }, timeoutMs, (message) => {
    if (message.kind === 'plan') answer = { plan: message.plan, lakeFiles: message.lakeFiles, sources: message.sources };
    return Promise.resolve('done');
  });
  if (!answer) throw refused('it could not be explained');
  return answer;
}
