/** Filters of the runs table: a status and an hour range (inclusive), sent to GET /api/runs as its query. */
import type { RunStatus } from '../../app/api-views.js';
import { choiceLabel, HourPicker, type HourChoice } from '../components/hour-picker.js';

export interface RunFilter {
  readonly status: RunStatus | '';
  readonly from: HourChoice;
  readonly to: HourChoice;
}

export const NO_FILTER: RunFilter = { status: '', from: { date: '', hour: 0 }, to: { date: '', hour: 23 } };
const STATUSES: readonly RunStatus[] = ['queued', 'running', 'success', 'failed'];

/** The query of one page of the runs that match: `offset` runs in, at most `limit` of them. */
export function filterQuery(filter: RunFilter, offset = 0, limit = 200): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (offset > 0) query.set('offset', String(offset));
  if (filter.status) query.set('status', filter.status);
  const from = choiceLabel(filter.from);
  const to = choiceLabel(filter.to);
  if (from) query.set('from', from);
  if (to) query.set('to', to);
  return query.toString();
}

export function RunFilters({ filter, onChange }: { filter: RunFilter; onChange: (next: RunFilter) => void }) {
  return (
    <div class="row filters" data-testid="run-filters">
      <label>
        status{' '}
        <select value={filter.status} data-testid="filter-status" onChange={(e) => onChange({ ...filter, status: e.currentTarget.value as RunFilter['status'] })}>
          <option value="">any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <span class="muted">hours from</span>
      <HourPicker label="Runs from hour" value={filter.from} onChange={(from) => onChange({ ...filter, from })} testid="filter-from" />
      <span class="muted">to</span>
      <HourPicker label="Runs to hour" value={filter.to} onChange={(to) => onChange({ ...filter, to })} testid="filter-to" />
      <button type="button" onClick={() => onChange(NO_FILTER)} data-testid="filter-clear">
        Clear
      </button>
    </div>
  );
}
