/**
 * The run that replaced another's files: a later success of the same hour in the same lake.
 * Publishing swaps an hour's partitions whole (the quarantine's too), so once one exists the
 * lake no longer holds what the earlier run wrote, even under the same file names.
 */
import type { RunRecord, RunStore } from '../orchestration/run-store.js';

export async function supersedingRun(runs: RunStore, run: RunRecord): Promise<RunRecord | undefined> {
  if (run.status !== 'success' || run.finishedAt === undefined) return undefined;
  const finished = run.finishedAt;
  const successes = await runs.list({ lake: run.lake, hour: run.hour, status: 'success' });
  // Newest first: the first later one is the hour as the lake holds it now.
  return successes.find((other) => other.id !== run.id && other.finishedAt !== undefined && other.finishedAt > finished);
}

/**
 * The newest success of the run's hour in its lake that was queued after it, whatever the run's
 * own status: a run of an hour starts only once the one before has ended, so that success
 * planned the hour after this run did, and publishing this run now would put older data back.
 */
export async function newerSuccess(runs: RunStore, run: RunRecord): Promise<RunRecord | undefined> {
  const successes = await runs.list({ lake: run.lake, hour: run.hour, status: 'success' });
  return successes.find((other) => other.id !== run.id && other.queuedAt > run.queuedAt);
}
