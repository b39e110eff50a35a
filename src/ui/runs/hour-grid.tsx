/**
 * Hours × status: a row per day (newest first), a column per hour 00..23, each cell colored by
 * the status of the hour's newest run and linking to it.
 */
import type { RunView } from '../../app/api-views.js';
import { displayHour, hourLabel, hourParts, twoDigits } from '../format/hour-label.js';
import { runHref } from '../routing/hash-route.js';

const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** Days shown; older ones stay in the table below. */
const MAX_DAYS = 31;

/** The newest run of each hour, and the days they fall on (newest first). Runs come newest first. */
export function gridOf(runs: readonly RunView[]): { days: string[]; latest: Map<string, RunView> } {
  const latest = new Map<string, RunView>();
  const days = new Set<string>();
  for (const run of runs) {
    const parts = hourParts(run.hour);
    if (!parts) continue;
    if (!latest.has(run.hour)) latest.set(run.hour, run);
    days.add(parts.date);
  }
  return { days: [...days].sort().reverse().slice(0, MAX_DAYS), latest };
}

export function HourGrid({ runs }: { runs: readonly RunView[] }) {
  const { days, latest } = gridOf(runs);
  if (days.length === 0) return <p class="muted" data-testid="hour-grid-empty">No runs yet: run an hour above, or start eventlake up to run them on schedule.</p>;
  return (
    <div class="grid-scroll">
      <table class="hour-grid" data-testid="hour-grid">
        <thead>
          <tr>
            <th scope="col">day</th>
            {HOURS.map((h) => (
              <th key={h} scope="col">
                {twoDigits(h)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((day) => (
            <tr key={day}>
              <th scope="row">{day}</th>
              {HOURS.map((h) => {
                const label = hourLabel(day, h);
                const run = latest.get(label);
                // A success that quarantined too much is not plain success: marked, and said in its title.
                const poor = run?.status === 'success' && run.poorQuality === true;
                const title = `${displayHour(label)} · ${run ? run.status : 'no run'}${poor ? ' · poor quality (quarantined too many lines)' : ''}`;
                return (
                  <td key={h}>
                    {run ? (
                      <a
                        class={`cell status-${run.status}${poor ? ' poor-quality' : ''}`}
                        href={runHref(run.id)}
                        title={title}
                        aria-label={title}
                        data-testid={`grid-cell-${label}`}
                        data-status={run.status}
                        data-poor-quality={poor ? 'true' : undefined}
                      />
                    ) : (
                      <span class="cell empty" title={title} />
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
