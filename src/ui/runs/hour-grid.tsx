/**
 * Hours × status: a row per day (newest first), a column per hour 00..23, each cell colored by
 * the status of the hour's newest run and linking to it. The window (the newest days with runs,
 * and the newest run of each of their hours) comes whole from GET /api/runs/hours, however many
 * runs the state holds; the days it leaves out are said, and their runs are in the table below.
 */
import type { RunHours, RunView } from '../../app/api-views.js';
import { formatCount } from '../format/figures.js';
import { displayHour, hourLabel, twoDigits } from '../format/hour-label.js';
import { runHref } from '../routing/hash-route.js';

const HOURS = Array.from({ length: 24 }, (_, h) => h);

export function HourGrid({ hours }: { hours: RunHours }) {
  const { days } = hours;
  const latest = new Map<string, RunView>(hours.runs.map((run) => [run.hour, run]));
  if (days.length === 0) return <p class="muted" data-testid="hour-grid-empty">No runs yet: run an hour above, or start eventlake up to run them on schedule.</p>;
  return (
    <>
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
      {hours.totalDays > days.length && (
        <p class="muted small" data-testid="hour-grid-days">
          Showing the newest {formatCount(days.length)} of {formatCount(hours.totalDays)} days with runs; the older days' runs are in the table below.
        </p>
      )}
    </>
  );
}
