/** The run's tasks (batches of source objects): status, size, attempts, last error. */
import type { RunDetail } from '../../app/api-views.js';
import { formatBytes, formatCount } from '../format/figures.js';

export function TaskTable({ tasks }: { tasks: RunDetail['tasks'] }) {
  return (
    <section class="panel">
      <h2>Tasks</h2>
      {tasks.length === 0 ? (
        <p class="muted">Not planned yet.</p>
      ) : (
        <table class="data" data-testid="task-table">
          <thead>
            <tr>
              <th>task</th>
              <th>status</th>
              <th class="num">objects</th>
              <th class="num">bytes</th>
              <th class="num">attempts</th>
              <th>error</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((t) => (
              <tr key={t.id} data-testid={`task-row-${t.id}`} data-status={t.status}>
                <td class="mono">{t.id}</td>
                <td>
                  <span class={`task-status task-${t.status}`}>{t.status}</span>
                </td>
                <td class="num">{formatCount(t.objects)}</td>
                <td class="num">{formatBytes(t.bytes)}</td>
                <td class="num">{t.attempts}</td>
                <td class="error-cell">{t.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
