/** How runs that ended (or were queued) are shown, for trigger, backfill, resume and replay. */
import { isOrphaned as orphaned, runView } from '../app/run-view.js';
import type { RunRecord } from '../orchestration/run-store.js';
import { formatCount } from './format-figures.js';

/** A run for --json output: the API's view without its timestamps and task counts. */
export function runJson(run: RunRecord): Record<string, unknown> {
  const json: Record<string, unknown> = { ...runView(run) };
  for (const key of ['queuedAt', 'startedAt', 'finishedAt', 'tasks']) delete json[key];
  return json;
}

export function describeRun(run: RunRecord): string {
  const head = `${run.hour}  ${run.status.padEnd(7)}  ${run.id}`;
  if (run.status === 'failed') return `${head}  ${run.error ?? ''}`;
  if (orphaned(run)) return `${head}  its process died: eventlake resume (or eventlake up) finishes it`;
  if (run.status === 'success' && run.summary) {
    const rows = Object.values(run.summary.events).reduce((n, c) => n + c, 0);
    const quality = run.poorQuality ? `  (quarantined ${(run.summary.quarantinedShare * 100).toFixed(2)}%: over the quality threshold)` : '';
    return `${head}  ${formatCount(rows)} rows, ${formatCount(run.summary.quarantined)} quarantined, ${run.summary.seconds.toFixed(1)} s${quality}`;
  }
  return head;
}

/** Exit code 1 (after printing) when any run did not succeed: failed, or left queued by a stop. */
export function failIfAnyFailed(runs: readonly RunRecord[]): void {
  const failed = runs.filter((r) => r.status === 'failed').length;
  const unfinished = runs.filter((r) => r.status === 'queued' || r.status === 'running').length;
  const of = `of ${runs.length} hour${runs.length === 1 ? '' : 's'}`;
  if (failed > 0) process.stderr.write(`eventlake: ${failed} ${of} failed\n`);
  if (unfinished > 0) process.stderr.write(`eventlake: ${unfinished} ${of} not finished (still queued; eventlake resume or eventlake up finishes them)\n`);
  if (failed + unfinished > 0) process.exitCode = 1;
}
