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
