/** How far a backfill is: its runs counted by their latest status (a run not listed yet keeps the status it was answered with). */
import type { RunStatus, RunView } from '../../app/api-views.js';

export interface BackfillProgress {
  readonly total: number;
  readonly counts: Readonly<Record<RunStatus, number>>;
  /** Runs that ended, successfully or not. */
  readonly ended: number;
  readonly finished: boolean;
}

export function backfillProgress(requested: readonly RunView[], latest: readonly RunView[]): BackfillProgress {
  const byId = new Map(latest.map((run) => [run.id, run.status]));
  const counts: Record<RunStatus, number> = { queued: 0, running: 0, success: 0, failed: 0 };
  for (const run of requested) counts[byId.get(run.id) ?? run.status]++;
  const ended = counts.success + counts.failed;
  return { total: requested.length, counts, ended, finished: ended === requested.length };
}
