/** How the SQL console says no: one sentence, DuckDB's message without the lines after its first. */
import { UserError } from '../../errors/user-error.js';

export function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

export function refused(reason: string): UserError {
  return new UserError(`the warehouse refused the query: ${reason}`);
}

/** A query that ran past the console's time limit: stopped, which is not the warehouse refusing it. */
export function stoppedAtLimit(timeoutMs: number): UserError {
  return new UserError(`the query ran longer than the SQL console allows (${duration(timeoutMs)}) and was stopped: ask for less (fewer dates and hours, fewer rows)`);
}

/** A query its asker cancelled. */
export function cancelled(): UserError {
  return new UserError('the query was cancelled');
}

/** A time limit in words: `30 s`, `300 ms`. */
export function duration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** A size in words: `16 MB`. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
