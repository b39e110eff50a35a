/** The BI answer (GET /api/warehouse/avg-distance): average distance per vehicle in each operating period, as a table and a bar chart. */
import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'preact/hooks';
import type { AvgDistanceView } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ChartCanvas } from '../charts/chart-canvas.js';
import { seriesColor } from '../charts/chart-parts.js';
import { formatCount } from '../format/figures.js';
import { WarehouseAnswerNote } from './warehouse-answer-note.js';

function barConfig(answer: AvgDistanceView): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: answer.periods.map((p) => `${p.period_id} (${p.organization_id})`),
      datasets: [{ label: 'average km per vehicle', data: answer.periods.map((p) => p.avg_km), backgroundColor: seriesColor(0) }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'operating period' } },
        y: { beginAtZero: true, title: { display: true, text: 'km' } },
      },
    },
  };
}

export function AvgDistance() {
  const answer = useApi<AvgDistanceView>('/api/warehouse/avg-distance');
  const config = useMemo(() => (answer.data ? barConfig(answer.data) : undefined), [answer.data]);
  return (
    <section class="panel" data-testid="avg-distance">
      <h2>Average distance per vehicle and operating period</h2>
      <WarehouseAnswerNote error={answer.error} testid="avg-distance-error" />
      {answer.data && answer.data.periods.length === 0 && <p class="muted">No operating period with vehicle positions yet.</p>}
      {answer.data && answer.data.periods.length > 0 && config && (
        <div class="columns">
          <table class="data" data-testid="avg-distance-table">
            <thead>
              <tr>
                <th>operating period</th>
                <th>organization</th>
                <th class="num">vehicles</th>
                <th class="num">average km</th>
                <th class="num">total km</th>
              </tr>
            </thead>
            <tbody>
              {answer.data.periods.map((p) => (
                <tr key={`${p.organization_id}/${p.period_id}`}>
                  <td class="mono">{p.period_id}</td>
                  <td class="mono">{p.organization_id}</td>
                  <td class="num">{formatCount(p.vehicles)}</td>
                  <td class="num">{p.avg_km.toFixed(2)}</td>
                  <td class="num">{p.total_km.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ChartCanvas config={config} label="average km per vehicle per operating period" testid="avg-distance-chart" />
        </div>
      )}
    </section>
  );
}
