/** The runs list: hour (with its date), status, timing, tasks, rows; failed runs can be rerun. */
import type { RunView, TriggerAnswer } from '../../app/api-views.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatCount, formatInstant, formatSeconds, secondsBetween } from '../format/figures.js';
import { displayHour } from '../format/hour-label.js';
import { runHref } from '../routing/hash-route.js';
import { RerunButton } from './rerun-button.js';
import { ScrollBox } from '../components/scroll-box.js';

function rowsOf(run: RunView): number | undefined {
  return run.events ? Object.values(run.events).reduce((a, b) => a + b, 0) : undefined;
}

/** The newest run of each hour listed (runs come newest first): only those offer a rerun. */
function newestOfHours(runs: readonly RunView[]): Set<string> {
  const seen = new Set<string>();
  const newest = new Set<string>();
  for (const run of runs) {
    if (seen.has(run.hour)) continue;
    seen.add(run.hour);
    newest.add(run.id);
  }
  return newest;
}

export function RunTable({ runs, onChanged }: { runs: readonly RunView[]; onChanged: (rerun?: TriggerAnswer) => void }) {
  if (runs.length === 0) return <p class="muted" data-testid="run-table-empty">No runs match.</p>;
  const newest = newestOfHours(runs);
  return (
    <ScrollBox label="runs">
      <table class="data" data-testid="run-table">
        <thead>
          <tr>
            <th>hour</th>
            <th>status</th>
            <th>trigger</th>
            <th class="num">attempt</th>
            <th>queued</th>
            <th class="num">took</th>
            <th class="num">tasks</th>
            <th class="num">rows</th>
            <th class="num">quarantined</th>
            <th>error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-testid={`run-row-${run.id}`} data-status={run.status} data-hour={run.hour}>
              <td class="nowrap">
                <a href={runHref(run.id)}>{displayHour(run.hour)}</a>
              </td>
              <td>
                <StatusBadge status={run.status} />
                {run.orphaned && <span class="tag" title="its process is gone: eventlake resume (or up) finishes it">orphaned</span>}
                {run.poorQuality && <span class="tag warn">poor quality</span>}
              </td>
              <td>{run.trigger}</td>
              <td class="num">{run.attempt}</td>
              <td class="nowrap">{formatInstant(run.queuedAt)}</td>
              <td class="num nowrap">{formatSeconds(run.seconds ?? secondsBetween(run.startedAt, run.finishedAt))}</td>
              <td class="num">{run.tasks ? `${run.tasks.done}/${run.tasks.total}` : '—'}</td>
              <td class="num">{formatCount(rowsOf(run))}</td>
              <td class="num">{formatCount(run.quarantined)}</td>
              <td class="error-cell">
                {run.error && (
                  <div class="clamp" title={run.error}>
                    {run.error}
                  </div>
                )}
              </td>
              <td>{run.status === 'failed' && newest.has(run.id) && <RerunButton hour={run.hour} testid={`rerun-${run.id}`} onRerun={onChanged} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}
