/** An operating period chosen from GET /api/warehouse/periods, and its vehicle tracks (GET /api/warehouse/tracks?period=…&organization=…) drawn. */
import { useState } from 'preact/hooks';
import type { PeriodList, TracksView } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { formatInstant } from '../format/figures.js';
import { WarehouseAnswerNote } from './warehouse-answer-note.js';
import { TracksCanvas } from './tracks-canvas.js';

type Period = PeriodList['periods'][number];

/** A period is its organization's: two organizations may use one period id. */
const periodChoice = (p: Period): string => new URLSearchParams({ period: p.period_id, organization: p.organization_id }).toString();

export function TracksPanel() {
  const periods = useApi<PeriodList>('/api/warehouse/periods');
  const [chosen, setChosen] = useState<string>();
  const first = periods.data?.periods[0];
  const choice = chosen ?? (first === undefined ? undefined : periodChoice(first));
  const tracks = useApi<TracksView>(choice === undefined ? null : `/api/warehouse/tracks?${choice}`);
  const shown = periods.data?.periods.find((p) => periodChoice(p) === choice);
  return (
    <section class="panel" data-testid="tracks-panel">
      <h2>Vehicle tracks of an operating period</h2>
      <WarehouseAnswerNote error={periods.error} testid="periods-error" />
      {periods.data && periods.data.periods.length === 0 && <p class="muted">The warehouse holds no operating period.</p>}
      {periods.data && periods.data.periods.length > 0 && (
        <p class="row">
          <label>
            operating period{' '}
            <select value={choice} onChange={(e) => setChosen(e.currentTarget.value)} data-testid="period-select">
              {periods.data.periods.map((p) => (
                <option key={periodChoice(p)} value={periodChoice(p)}>
                  {p.period_id} ({p.organization_id})
                </option>
              ))}
            </select>
          </label>
          {shown && (
            <span class="muted">
              {formatInstant(shown.start)} to {formatInstant(shown.finish)}
            </span>
          )}
        </p>
      )}
      <ErrorNote error={tracks.error} testid="tracks-error" />
      {tracks.data && shown && tracks.data.period_id === shown.period_id && tracks.data.organization_id === shown.organization_id && <TracksCanvas tracks={tracks.data} />}
    </section>
  );
}
