/**
 * Events per minute per entity of a run (GET /api/runs/:id/timeline), as a line chart. The
 * server answers 409 while no timeline exists (the run has not succeeded): its sentence is shown.
 */
import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'preact/hooks';
import type { RunStatus, RunTimeline } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ChartCanvas } from '../charts/chart-canvas.js';
import { COUNT_TICKS, entityColor } from '../charts/chart-parts.js';
import { ErrorNote } from '../components/error-note.js';

/** `2019-06-01T15:07…` → `15:07`; anything else as it is. */
function minuteLabel(minute: string): string {
  return /T(\d{2}:\d{2})/.exec(minute)?.[1] ?? minute;
}

function timelineConfig(timeline: RunTimeline): ChartConfiguration {
  return {
    type: 'line',
    data: {
      labels: timeline.minutes.map(minuteLabel),
      datasets: timeline.series.map((s) => ({
        label: s.entity,
        data: [...s.counts],
        borderColor: entityColor(s.entity),
        backgroundColor: entityColor(s.entity),
        pointRadius: 0,
        borderWidth: 2,
        tension: 0.2,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { title: { display: true, text: 'minute' } },
        y: { beginAtZero: true, ticks: COUNT_TICKS, title: { display: true, text: 'events' } },
      },
    },
  };
}

export function TimelineChart({ runId, status }: { runId: string; status: RunStatus }) {
  const timeline = useApi<RunTimeline>(status === 'success' ? `/api/runs/${encodeURIComponent(runId)}/timeline` : null);
  const config = useMemo(() => (timeline.data ? timelineConfig(timeline.data) : undefined), [timeline.data]);
  return (
    <section class="panel" data-testid="timeline">
      <h2>Events per minute per entity</h2>
      {status !== 'success' && <p class="muted">The timeline is drawn once the run has succeeded.</p>}
      <ErrorNote error={timeline.error} testid="timeline-error" />
      {timeline.data && timeline.data.minutes.length === 0 && <p class="muted">The run wrote no events.</p>}
      {timeline.data?.omitted ? (
        <p class="muted" data-testid="timeline-omitted">
          {timeline.data.omitted.toLocaleString('en-US')} event(s) more than 12 hours from the run's middle event are left off the chart.
        </p>
      ) : null}
      {config && timeline.data && timeline.data.minutes.length > 0 && <ChartCanvas config={config} label="events per minute per entity" testid="timeline-chart" />}
    </section>
  );
}
