/** `#/lake`: each entity's partitions with files, rows and bytes; a partition of many small files is highlighted with the server's warning. */
import type { LakeView } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { formatBytes, formatCount } from '../format/figures.js';

type Entity = LakeView['entities'][number];

function EntityPartitions({ entity }: { entity: Entity }) {
  const warned = entity.partitions.filter((p) => p.warning).length;
  return (
    <section class="panel" data-testid={`lake-entity-${entity.entity}`}>
      <h2>
        {entity.entity}{' '}
        <span class="muted small">
          {entity.partitions.length} partition(s), {formatCount(entity.files)} file(s), {formatCount(entity.rows)} rows, {formatBytes(entity.bytes)}
        </span>
        {warned > 0 && <span class="tag warn">{warned} with small files</span>}
      </h2>
      {entity.partitions.length === 0 ? (
        <p class="muted">No partition published.</p>
      ) : (
        <div class="table-scroll">
          <table class="data">
            <thead>
              <tr>
                <th>partition</th>
                <th>date</th>
                <th>hour</th>
                <th class="num">files</th>
                <th class="num">rows</th>
                <th class="num">bytes</th>
                <th>warning</th>
              </tr>
            </thead>
            <tbody>
              {entity.partitions.map((p) => (
                <tr key={p.partition} class={p.warning ? 'warning' : ''} data-testid={`partition-${p.partition}`} data-warning={p.warning ? 'yes' : 'no'}>
                  <td class="path">{p.partition}</td>
                  <td>{p.date}</td>
                  <td>{p.hour}</td>
                  <td class="num">{formatCount(p.files)}</td>
                  <td class="num">{formatCount(p.rows)}</td>
                  <td class="num">{formatBytes(p.bytes)}</td>
                  <td>{p.warning && <span class="warning-text">⚠ {p.warning}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function LakePage() {
  const lake = useApi<LakeView>('/api/lake');
  return (
    <main class="page" data-testid="lake-page">
      <h1>
        Lake{' '}
        <button type="button" class="small-button" onClick={lake.reload} disabled={lake.loading} data-testid="lake-reload">
          Reload
        </button>
      </h1>
      <ErrorNote error={lake.error} testid="lake-error" />
      {lake.data && (
        <>
          <p class="path muted" data-testid="lake-location">
            {lake.data.lake}
          </p>
          {lake.data.entities.length === 0 && <p class="muted">The lake is empty: no hour was published yet.</p>}
          {lake.data.entities.map((e) => (
            <EntityPartitions key={e.entity} entity={e} />
          ))}
        </>
      )}
      {!lake.data && !lake.error && <p class="muted">Loading…</p>}
    </main>
  );
}
