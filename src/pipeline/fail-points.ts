/**
 * Named points where a test can make the process misbehave on purpose, in the style of
 * FoundationDB's and TiKV's fail points; unset, each costs one comparison.
 * - `EVENTLAKE_CRASH_AT=<point>`: the process kills itself there (SIGKILL, no cleanup), to check
 *   that what a crash leaves behind is recovered.
 * - `EVENTLAKE_PAUSE_AT=<point>` with `EVENTLAKE_PAUSE_MS`: the run waits there, to hold a
 *   lease while other runs try to take the same hour.
 */
export type CrashPoint = 'after-plan' | 'after-first-task' | 'after-journal' | 'between-renames';
export type PausePoint = 'after-lease' | 'before-publish';

export function crashPoint(point: CrashPoint): void {
  if (process.env['EVENTLAKE_CRASH_AT'] === point) process.kill(process.pid, 'SIGKILL');
}

export async function pausePoint(point: PausePoint): Promise<void> {
  if (process.env['EVENTLAKE_PAUSE_AT'] !== point) return;
  await new Promise((resolve) => setTimeout(resolve, Number(process.env['EVENTLAKE_PAUSE_MS'] ?? 1000)));
}

/**
 * `EVENTLAKE_FAIL_TASK=<task id>[:<attempts>]`: processing that task fails, on every attempt or on
 * the first `<attempts>` only, to check retries and dead letters with a real process.
 */
export function failTaskPoint(taskId: string, attempt: number): void {
  const spec = process.env['EVENTLAKE_FAIL_TASK'];
  if (!spec) return;
  const [id, count] = spec.split(':');
  if (id !== taskId) return;
  if (count === undefined || attempt <= Number(count)) {
    throw new Error(`task ${taskId} failed on purpose (EVENTLAKE_FAIL_TASK, attempt ${attempt})`);
  }
}
