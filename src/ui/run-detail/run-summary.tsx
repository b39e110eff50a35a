/** A run's status, hour, trigger, timing, tasks done, where it reads and writes, and its error. */
import type { RunDetail } from '../../app/api-views.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatInstant, formatSeconds, secondsBetween } from '../format/figures.js';
import { displayHour } from '../format/hour-label.js';

export function RunSummary({ run }: { run: RunDetail['run'] }) {
  const took = run.seconds ?? secondsBetween(run.startedAt, run.finishedAt);
  return (
    <section class="panel">
      <dl class="facts" data-testid="run-summary">
        <dt>status</dt>
        <dd>
          <StatusBadge status={run.status} testid="run-status" />
          {run.orphaned && <span class="tag">orphaned: eventlake resume (or up) finishes it</span>}
          {run.poorQuality && <span class="tag warn">poor quality</span>}
        </dd>
        <dt>hour</dt>
        <dd>{displayHour(run.hour)}</dd>
        <dt>trigger</dt>
        <dd>
          {run.trigger}, attempt {run.attempt}
        </dd>
        <dt>queued</dt>
        <dd>{formatInstant(run.queuedAt)}</dd>
        <dt>started</dt>
        <dd>{formatInstant(run.startedAt)}</dd>
        <dt>finished</dt>
        <dd>{formatInstant(run.finishedAt)}</dd>
        <dt>took</dt>
        <dd>{formatSeconds(took)}</dd>
        <dt>tasks</dt>
        <dd>{run.tasks ? `${run.tasks.done} of ${run.tasks.total} done` : '—'}</dd>
        <dt>source</dt>
        <dd class="path">{run.source}</dd>
        <dt>lake</dt>
        <dd class="path">
          {run.lake} ({run.format})
        </dd>
        {run.error && (
          <>
            <dt>error</dt>
            <dd class="error-text" data-testid="run-error">
              {run.error}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
