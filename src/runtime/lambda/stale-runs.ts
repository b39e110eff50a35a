/**
 * The sweep of cloud runs stuck `queued`: nothing in the cloud ends a run whose task was
 * dead-lettered (the SQS dead-letter queue has no consumer) or lost, so its record would say
 * `queued` forever and the hour's next fan-out would be refused. A run still queued
 * `cloud.staleRunAfter` (2 h by default) after its fan-out is marked failed with the reason, so
 * the hour can be fanned out again and `status` tells the truth. The fan-out sweeps the hour it
 * plans (and the schedule the day before it); `eventlake dlq list` ends the runs its dead letters
 * belong to.
 */
import { formatDuration } from '../../config/duration.js';
import { LakeRunStore } from '../../orchestration/lake/lake-run-store.js';
import type { RunRecord } from '../../orchestration/run-store.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { LakeObjectStaging } from '../../storage/lake-object-staging.js';

/** The default of `cloud.staleRunAfter`. */
export const DEFAULT_STALE_RUN_AFTER_MS = 2 * 60 * 60 * 1000;

export interface StaleRunSweep {
  /** How long a run may stay queued; null: never swept. */
  readonly staleAfterMs: number | null;
  readonly now?: () => number;
}

/** The run's record as the sweep left it, failed with why; undefined when it had ended meanwhile. */
export async function failStaleRun(runs: LakeRunStore, lake: ObjectStore, run: RunRecord, staleAfterMs: number): Promise<RunRecord | undefined> {
  const planned = ((await runs.manifest(run.id))?.tasks ?? []).map((t) => t.id);
  const progress = await new LakeObjectStaging(lake).progress(run.id, planned);
  const missing = progress.missing.slice(0, 3).join(', ') + (progress.missing.length > 3 ? ', …' : '');
  const error =
    `stale: queued since ${run.queuedAt}, over ${formatDuration(staleAfterMs)} ago, with ${progress.done.length} of ${planned.length} tasks done` +
    `${missing ? ` (not done: ${missing})` : ''}; a task was dead-lettered or lost (eventlake dlq list shows the dead letters); the hour can be fanned out again`;
  return (await runs.end(run.id, 'stale-run sweep', { status: 'failed', error })) ? runs.get(run.id) : undefined;
}

/** Marks the runs of `hours` queued longer than the sweep allows failed; returns those it ended. */
export async function sweepStaleRuns(lake: ObjectStore, hours: readonly string[], sweep: StaleRunSweep): Promise<RunRecord[]> {
  if (sweep.staleAfterMs === null) return [];
  const now = sweep.now?.() ?? Date.now();
  // The runs it ends end at the sweep's time.
  const runs = new LakeRunStore(lake, { now: () => now });
  const ended: RunRecord[] = [];
  for (const run of await runs.queuedIn(hours)) {
    if (!(now - Date.parse(run.queuedAt) > sweep.staleAfterMs)) continue;
    const failed = await failStaleRun(runs, lake, run, sweep.staleAfterMs);
    if (failed) ended.push(failed);
  }
  return ended;
}
