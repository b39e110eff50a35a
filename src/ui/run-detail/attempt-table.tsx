/** Every attempt at the run's tasks and its finish: which worker, how long, how it ended. */
import type { RunDetail } from '../../app/api-views.js';
import { formatInstant, formatSeconds, secondsBetween } from '../format/figures.js';

export function AttemptTable({ attempts }: { attempts: RunDetail['attempts'] }) {
  if (attempts.length === 0) return null;
  return (
    <section class="panel">
      <h2>Attempts</h2>
      <table class="data" data-testid="attempt-table">
        <thead>
          <tr>
            <th>work</th>
            <th class="num">attempt</th>
            <th>worker</th>
            <th>started</th>
            <th class="num">took</th>
            <th>outcome</th>
            <th>error</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a, i) => (
            <tr key={i} data-outcome={a.outcome}>
              <td class="mono">{a.kind === 'task' ? (a.taskId ?? 'task') : 'finish'}</td>
              <td class="num">{a.attempt}</td>
              <td class="mono">{a.worker}</td>
              <td class="nowrap">{formatInstant(a.startedAt)}</td>
              <td class="num nowrap">{formatSeconds(secondsBetween(a.startedAt, a.finishedAt))}</td>
              <td>
                <span class={`outcome outcome-${a.outcome}`}>{a.outcome}</span>
              </td>
              <td class="error-cell">{a.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
