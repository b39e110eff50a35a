/** Rows, files and bytes the run wrote per entity. */
import type { RunDetail } from '../../app/api-views.js';
import { formatBytes, formatCount } from '../format/figures.js';

export function EntityCounts({ entities }: { entities: RunDetail['entities'] }) {
  return (
    <section class="panel">
      <h2>Rows per entity</h2>
      {entities.length === 0 ? (
        <p class="muted">No rows counted yet.</p>
      ) : (
        <table class="data" data-testid="entity-counts">
          <thead>
            <tr>
              <th>entity</th>
              <th class="num">rows</th>
              <th class="num">files</th>
              <th class="num">bytes</th>
            </tr>
          </thead>
          <tbody>
            {entities.map((e) => (
              <tr key={e.entity} data-testid={`entity-row-${e.entity}`}>
                <td>{e.entity}</td>
                <td class="num" data-testid={`entity-rows-${e.entity}`}>
                  {formatCount(e.rows)}
                </td>
                <td class="num">{formatCount(e.files)}</td>
                <td class="num">{formatBytes(e.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
