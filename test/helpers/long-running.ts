/** Helpers for end-to-end tests of long-running eventlake processes (`up`, runs killed mid-way). */
import { type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { listFiles, query, writeObject } from './fixtures.js';
import { spawnCliGroup } from './processes.js';

export interface Spawned {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** stdout and stderr so far. */
  out(): string;
  err(): string;
  /** JSON lines printed on stdout so far. */
  jsonLines(): Record<string, unknown>[];
  /** Resolves with the exit code and null, or null and the signal that ended the process (SIGKILL, SIGINT…). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the built CLI without waiting for it, as the leader of its own process group: the whole
 * group is killed when the test file ends, or when the vitest worker dies (see spawnCliGroup).
 */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): Spawned {
  const child = spawnCliGroup(args, { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    pid: child.pid as number,
    out: () => stdout,
    err: () => stderr,
    jsonLines: () =>
      stdout
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exited,
  };
}

/** Polls `check` until it answers truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 60_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface DbRun {
  id: string;
  lake: string;
  hour: string;
  status: string;
  trigger: string;
  attempt: number;
  owner: string | null;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
}

/** Rows of a read-only query on `<state>/eventlake.db`; [] while the database does not exist yet. */
export function stateRows<T = Record<string, unknown>>(state: string, sql: string, ...args: unknown[]): T[] {
  const path = join(state, 'eventlake.db');
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}

export function dbRuns(state: string): DbRun[] {
  return stateRows<DbRun>(
    state,
    `SELECT id, lake, hour, status, trigger, attempt, owner, queued_at, started_at, finished_at, error FROM runs ORDER BY queued_at, id`,
  );
}

/** The most runs whose [started_at, finished_at] intervals overlap at one instant. */
export function maxOverlap(runs: readonly { started_at: number | null; finished_at: number | null }[]): number {
  const points: [number, number][] = [];
  for (const r of runs) {
    if (r.started_at === null || r.finished_at === null) continue;
    points.push([r.started_at, 1], [r.finished_at, -1]);
  }
  // An end at the same millisecond as a start frees the slot first.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of points) {
    now += d;
    most = Math.max(most, now);
  }
  return most;
}

/** Two runs of one hour whose intervals overlap, if any. */
export function overlappingSameHour(runs: readonly DbRun[]): [DbRun, DbRun] | undefined {
  for (const a of runs) {
    for (const b of runs) {
      if (a.id >= b.id || a.hour !== b.hour || a.lake !== b.lake) continue;
      if (a.started_at === null || b.started_at === null) continue;
      const aEnd = a.finished_at ?? Number.POSITIVE_INFINITY;
      const bEnd = b.finished_at ?? Number.POSITIVE_INFINITY;
      if (a.started_at < bEnd && b.started_at < aEnd) return [a, b];
    }
  }
  return undefined;
}

const vehicleLine = (id: string, at: string): string =>
  JSON.stringify({ event: 'update', on: 'vehicle', at, data: { id, location: { lat: 52.5, lng: 13.4 } }, organization_id: 'org' });

/** Writes `objects` objects of `lines` vehicle events for the hour label `YYYY-MM-DDTHH` (flat names); answers the line count. */
export async function writeSmallHour(source: string, label: string, objects = 3, lines = 3): Promise<number> {
  const date = label.slice(0, 10);
  const hour = Number(label.slice(11, 13));
  for (let s = 0; s < objects; s++) {
    const content = Array.from({ length: lines }, (_, i) => vehicleLine(`${label}-o${s}-l${i}`, `${date}T${label.slice(11, 13)}:${String(s).padStart(2, '0')}:0${i}.000Z`));
    await writeObject(source, `${date}-${hour}-${s}-0-events.json`, `${content.join('\n')}\n`);
  }
  return objects * lines;
}

/** Vehicle rows per hour label (`YYYY-MM-DDTHH`) in the lake. */
export async function rowsPerHour(lake: string): Promise<Record<string, number>> {
  const rows = await query(
    `SELECT CAST("date" AS VARCHAR) || 'T' || lpad(CAST(hour AS VARCHAR), 2, '0') AS label, count(*) AS n FROM read_parquet('${lake}/vehicle/*/*/*.parquet', hive_partitioning = true) GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [String(r['label']), Number(r['n'])]));
}

/** (source_object, source_line) pairs present more than once among the rows of `table`. */
export async function duplicateLines(lake: string, table = 'vehicle'): Promise<Record<string, unknown>[]> {
  return query(`SELECT source_object, source_line, count(*) AS n FROM '${lake}/${table}/*/*/*.parquet' GROUP BY ALL HAVING count(*) > 1`);
}

/** Files left in the lake's staging area. */
export async function stagingLeft(lake: string): Promise<string[]> {
  return (await listFiles(lake)).filter((f) => f.includes('/_staging/') || f.includes('.takeover-'));
}

/** UTC hour label of an instant. */
export function utcLabel(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}
