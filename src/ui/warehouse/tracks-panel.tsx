/** An operating period chosen from GET /api/warehouse/periods, and its vehicle tracks (GET /api/warehouse/tracks?period=…) drawn. */
import { useState } from 'preact/hooks';
import type { PeriodList, TracksView } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { formatInstant } from '../format/figures.js';
import { TracksCanvas } from './tracks-canvas.js';

export function TracksPanel() {
  const periods = useApi<PeriodList>('/api/warehouse/periods');
  const [chosen, setChosen] = useState<string>();
  const period = chosen ?? periods.data?.periods[0]?.period_id;
  const tracks = useApi<TracksView>(period === undefined ? null : `/api/warehouse/tracks?${new URLSearchParams({ period }).toString()}`);
  const shown = periods.data?.periods.find((p) => p.period_id === period);
  return (
    <section class="panel" data-testid="tracks-panel">
      <h2>Vehicle tracks of an operating period</h2>
      <ErrorNote error={periods.error} testid="periods-error" />
      {periods.data && periods.data.periods.length === 0 && <p class="muted">The warehouse holds no operating period.</p>}
      {periods.data && periods.data.periods.length > 0 && (
        <p class="row">
          <label>
            operating period{' '}
            <select value={period} onChange={(e) => setChosen(e.currentTarget.value)} data-testid="period-select">
              {periods.data.periods.map((p) => (
                <option key={p.period_id} value={p.period_id}>
                  {p.period_id}
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
      {tracks.data && tracks.data.period_id === period && <TracksCanvas tracks={tracks.data} />}
    </section>
  );
}
