/**
 * Named points where a test can make the process die on the spot (SIGKILL, no cleanup), to
 * check that what is left behind is recovered: `EVENTLAKE_CRASH_AT=<point>`. A fail point in
 * the style of FoundationDB's and TiKV's; unset, it costs one comparison.
 */
export type CrashPoint = 'after-first-task' | 'after-journal' | 'between-renames';

export function crashPoint(point: CrashPoint): void {
  if (process.env['EVENTLAKE_CRASH_AT'] === point) process.kill(process.pid, 'SIGKILL');
}
