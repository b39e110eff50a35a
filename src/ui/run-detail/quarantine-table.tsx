/** The lines the run quarantined, with the object, line number and reason (the first ones, and how many in all). */
import type { RunDetail } from '../../app/api-views.js';
import { formatCount } from '../format/figures.js';

export function QuarantineTable({ quarantine }: { quarantine: RunDetail['quarantine'] }) {
  return (
    <section class="panel" data-testid="quarantine">
      <h2>Quarantined lines ({formatCount(quarantine.total)})</h2>
      {quarantine.total === 0 ? (
        <p class="muted">No line was quarantined.</p>
      ) : (
        <>
          {quarantine.lines.length < quarantine.total && (
            <p class="muted">
              The first {quarantine.lines.length} of {formatCount(quarantine.total)}; the lake's _quarantine folder holds them all.
            </p>
          )}
          <table class="data" data-testid="quarantine-table">
            <thead>
              <tr>
                <th>object</th>
                <th class="num">line</th>
                <th>reason</th>
                <th>line as read</th>
              </tr>
            </thead>
            <tbody>
              {quarantine.lines.map((q, i) => (
                <tr key={i}>
                  <td class="path">{q.source_object}</td>
                  <td class="num">{q.source_line}</td>
                  <td>{q.reason}</td>
                  <td>
                    <code class="raw">{q.raw.length > 300 ? `${q.raw.slice(0, 300)}…` : q.raw}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
