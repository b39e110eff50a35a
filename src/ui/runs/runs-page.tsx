/** `/`: trigger, backfill, the hours × status grid and the runs table, kept live by polling every 2 s. */
import { useState } from 'preact/hooks';
import { previousSourceHour, sourceZone } from '../format/source-zone.js';
import type { RunHours, RunList, TriggerAnswer } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import type { HourChoice } from '../components/hour-picker.js';
import { BackfillForm } from './backfill-form.js';
import { HourGrid } from './hour-grid.js';
import { filterQuery, NO_FILTER, RunFilters, type RunFilter } from './run-filters.js';
import { PAGE_SIZE, RunPager } from './run-pager.js';
import { RerunNote } from './rerun-note.js';
import { RunTable } from './run-table.js';
import { TriggerForm } from './trigger-form.js';

const POLL_MS = 2000;

/** The pickers start on the previous hour (UTC), the one a scheduler would run next. */
/** The hour before now as the source counts hours: what a person most likely wants to run. */
function previousHour(): HourChoice {
  return previousSourceHour(sourceZone());
}

export function RunsPage() {
  const [filter, setFilter] = useState<RunFilter>(NO_FILTER);
  const [offset, setOffset] = useState(0);
  const [rerun, setRerun] = useState<TriggerAnswer>();
  // The grid's window whole (every hour of its days, however many runs there are), and the table's page.
  const hours = useApi<RunHours>('/api/runs/hours', { everyMs: POLL_MS });
  const filtered = useApi<RunList>(`/api/runs?${filterQuery(filter, offset, PAGE_SIZE)}`, { everyMs: POLL_MS });
  const [initial] = useState(previousHour);
  const changed = (): void => {
    hours.reload();
    filtered.reload();
  };
  const rerunAsked = (answer?: TriggerAnswer): void => {
    if (answer) setRerun(answer);
    changed();
  };
  const filterChanged = (next: RunFilter): void => {
    setFilter(next);
    setOffset(0);
  };
  const page = filtered.data;
  // Fewer runs match than when this page was chosen: the last page that has some.
  if (page && page.runs.length === 0 && page.total > 0 && offset > 0) setOffset(Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE);

  return (
    <main class="page" data-testid="runs-page">
      <h1>Runs</h1>
      <div class="columns">
        <TriggerForm initial={initial} onTriggered={changed} />
        <BackfillForm initial={initial} onStarted={changed} />
      </div>
      <section class="panel">
        <h2>Hours</h2>
        <Legend />
        <ErrorNote error={hours.error} testid="runs-error" />
        {hours.data ? <HourGrid hours={hours.data} /> : !hours.error && <p class="muted">Loading…</p>}
      </section>
      <section class="panel">
        <h2>All runs</h2>
        <RunFilters filter={filter} onChange={filterChanged} />
        {rerun && <RerunNote key={rerun.id} run={rerun} filter={filter} listed={page?.runs.some((r) => r.id === rerun.id) ?? false} onClose={() => setRerun(undefined)} />}
        <ErrorNote error={filtered.error} testid="run-table-error" />
        {page && <RunPager offset={offset} shown={page.runs.length} total={page.total} onOffset={setOffset} />}
        {page && <RunTable runs={page.runs} onChanged={rerunAsked} />}
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
