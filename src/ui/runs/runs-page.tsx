/** `/`: trigger, backfill, the hours × status grid and the runs table, kept live by polling every 2 s. */
import { useState } from 'preact/hooks';
import type { RunList } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import type { HourChoice } from '../components/hour-picker.js';
import { todayDate } from '../format/hour-label.js';
import { BackfillForm } from './backfill-form.js';
import { HourGrid } from './hour-grid.js';
import { filterQuery, NO_FILTER, RunFilters, type RunFilter } from './run-filters.js';
import { RunTable } from './run-table.js';
import { TriggerForm } from './trigger-form.js';

const POLL_MS = 2000;

/** The pickers start on the previous hour (UTC), the one a scheduler would run next. */
function previousHour(): HourChoice {
  const before = new Date(Date.now() - 3_600_000);
  return { date: todayDate(before), hour: before.getUTCHours() };
}

export function RunsPage() {
  const [filter, setFilter] = useState<RunFilter>(NO_FILTER);
  const all = useApi<RunList>('/api/runs?limit=1000', { everyMs: POLL_MS });
  const filtered = useApi<RunList>(`/api/runs?${filterQuery(filter)}`, { everyMs: POLL_MS });
  const [initial] = useState(previousHour);
  const changed = (): void => {
    all.reload();
    filtered.reload();
  };

  return (
    <main class="page" data-testid="runs-page">
      <h1>Runs</h1>
      <div class="columns">
        <TriggerForm initial={initial} latest={all.data?.runs} onTriggered={changed} />
        <BackfillForm initial={initial} onStarted={changed} />
      </div>
      <section class="panel">
        <h2>Hours</h2>
        <Legend />
        <ErrorNote error={all.error} testid="runs-error" />
        {all.data ? <HourGrid runs={all.data.runs} /> : !all.error && <p class="muted">Loading…</p>}
      </section>
      <section class="panel">
        <h2>All runs</h2>
        <RunFilters filter={filter} onChange={setFilter} />
        <ErrorNote error={filtered.error} testid="run-table-error" />
        {filtered.data && <RunTable runs={filtered.data.runs} onChanged={changed} />}
      </section>
    </main>
  );
}

function Legend() {
  return (
    <p class="legend">
      {(['queued', 'running', 'success', 'failed'] as const).map((s) => (
        <span key={s}>
          <span class={`swatch status-${s}`} /> {s}
        </span>
      ))}
      <span>
        <span class="swatch empty" /> no run
      </span>
    </p>
  );
}
