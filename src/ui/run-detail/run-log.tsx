/** What the state recorded for the run: deadline misses, late data, quality alerts, retries. */
import type { RunDetail } from '../../app/api-views.js';
import { formatInstant } from '../format/figures.js';

export function RunLog({ log }: { log: RunDetail['log'] }) {
  return (
    <section class="panel">
      <h2>Log</h2>
      {log.length === 0 ? (
        <p class="muted">Nothing was logged for this run.</p>
      ) : (
        <ol class="log" data-testid="run-log">
          {log.map((line, i) => (
            <li key={i} class={`log-${line.level}`}>
              <span class="mono">{formatInstant(line.at)}</span> <span class="tag">{line.level}</span> {line.message}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
