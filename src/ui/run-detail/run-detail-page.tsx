/**
 * `#/runs/<id>`: one run's status and timing, its tasks and their attempts, rows per entity, the
 * quarantined lines with their reasons, its log, and the events-per-minute chart. Polled while
 * the run is queued or running.
 */
import type { RunDetail } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { displayHour } from '../format/hour-label.js';
import { useState } from 'preact/hooks';
import { useEscape } from '../components/use-escape.js';
import { runHref } from '../routing/hash-route.js';
import { closePanel, currentOpener } from '../routing/opener.js';
import { RerunButton } from '../runs/rerun-button.js';
import { AttemptTable } from './attempt-table.js';
import { EntityCounts } from './entity-counts.js';
import { QuarantineTable } from './quarantine-table.js';
import { RunLog } from './run-log.js';
import { RunSummary } from './run-summary.js';
import { TaskTable } from './task-table.js';
import { TimelineChart } from './timeline-chart.js';

const ACTIVE = new Set(['queued', 'running']);

export function RunDetailPage({ id }: { id: string }) {
  const detail = useApi<RunDetail>(`/api/runs/${encodeURIComponent(id)}`, { everyMs: 2000, keepPolling: (d) => ACTIVE.has(d.run.status) });
  const data = detail.data;
  // Escape goes back to where the run was opened from (the runs page, a dead letter's row), the focus to its link there.
  const [opener] = useState(currentOpener);
  useEscape(() => closePanel(opener, '#/runs', `a[href="${runHref(id)}"]`));
  return (
    <main class="page" data-testid="run-detail-page">
      <p class="crumbs">
        <a href="#/runs">Runs</a> / <span class="mono">{id}</span>
      </p>
      <h1>{data ? `Run of ${displayHour(data.run.hour)}` : `Run ${id}`}</h1>
      <ErrorNote error={detail.error} testid="run-detail-error" />
      {!data && !detail.error && <p class="muted">Loading…</p>}
      {data && (
        <>
          {data.run.status === 'failed' && (
            <p>
              <RerunButton hour={data.run.hour} testid="rerun-run" onRerun={(run) => (location.hash = runHref(run.id))} />
            </p>
          )}
          <RunSummary run={data.run} />
          <div class="columns">
            <EntityCounts entities={data.entities} />
            <TaskTable tasks={data.tasks} />
          </div>
          <TimelineChart runId={data.run.id} status={data.run.status} />
          <AttemptTable attempts={data.attempts} />
          <QuarantineTable quarantine={data.quarantine} />
          <RunLog log={data.log} />
        </>
      )}
    </main>
  );
}
