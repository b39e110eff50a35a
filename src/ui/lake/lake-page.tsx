/**
 * `#/lake`: each entity's partitions (and the quarantine's) grouped by date, newest first, a page
 * of dates at a time; a date opens to its hours with files, rows and bytes, a partition of many
 * small files highlighted with the server's warning. Rows nobody counted are said, not guessed.
 */
import { useState } from 'preact/hooks';
import type { LakeView, PartitionView } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { formatBytes, formatCount } from '../format/figures.js';
import { dateGroups, type DateGroup } from './date-groups.js';
import { Disclosure } from '../components/disclosure.js';
import { ScrollBox } from '../components/scroll-box.js';

type Entity = LakeView['entities'][number];

export const DATES_PER_PAGE = 7;

/** "12,345 rows", or "12,345 rows counted (2 partitions not)" when some partitions' rows are unknown. */
function rowsText(rows: number, uncounted: number): string {
  return uncounted === 0 ? `${formatCount(rows)} rows` : `${formatCount(rows)} rows counted (${formatCount(uncounted)} partition(s) not: no run on this state wrote them as they are)`;
}

function PartitionRows({ partitions }: { partitions: readonly PartitionView[] }) {
  return (
    <table class="data">
      <thead>
        <tr>
          <th>partition</th>
          <th>hour</th>
          <th class="num">files</th>
          <th class="num">rows</th>
          <th class="num">bytes</th>
          <th>warning</th>
        </tr>
      </thead>
      <tbody>
        {partitions.map((p) => (
          <tr key={p.partition} class={p.warning ? 'warning' : ''} data-testid={`partition-${p.partition}`} data-warning={p.warning ? 'yes' : 'no'}>
            <td class="path">{p.partition}</td>
            <td>{p.hour}</td>
            <td class="num">{formatCount(p.files)}</td>
            <td class="num">{p.rows === null ? <span title="no run on this state wrote this partition as it is">not counted</span> : formatCount(p.rows)}</td>
            <td class="num">{formatBytes(p.bytes)}</td>
            <td>{p.warning && <span class="warning-text">⚠ {p.warning}</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DateSection({ entity, group, open }: { entity: string; group: DateGroup; open: boolean }) {
  return (
    <Disclosure
      className="date-group"
      open={open}
      testid={`lake-date-${entity}-${group.date}`}
      summary={
        <>
          <strong>{group.date}</strong>{' '}
          <span class="muted small">
            {group.partitions.length} hour(s), {formatCount(group.files)} file(s), {rowsText(group.rows, group.uncounted)}, {formatBytes(group.bytes)}
          </span>
          {group.warned > 0 && <span class="tag warn">{group.warned} with small files</span>}
        </>
      }
    >
      <ScrollBox label={`partitions of ${group.date}`}>
        <PartitionRows partitions={group.partitions} />
      </ScrollBox>
    </Disclosure>
  );
}

function EntityPartitions({ entity }: { entity: Entity }) {
  const [page, setPage] = useState(0);
  const groups = dateGroups(entity.partitions);
  const pages = Math.max(1, Math.ceil(groups.length / DATES_PER_PAGE));
  const current = Math.min(page, pages - 1);
  const shown = groups.slice(current * DATES_PER_PAGE, (current + 1) * DATES_PER_PAGE);
  const warned = entity.partitions.filter((p) => p.warning).length;
  return (
    <section class="panel" data-testid={`lake-entity-${entity.entity}`}>
      <h2>
        {entity.entity}
        {entity.quarantine && <span class="muted small"> (lines no entity took, with their reasons)</span>}{' '}
        <span class="muted small" data-testid={`lake-entity-totals-${entity.entity}`}>
          {entity.partitions.length} partition(s) on {groups.length} date(s), {formatCount(entity.files)} file(s), {rowsText(entity.rows, entity.uncounted)}, {formatBytes(entity.bytes)}
        </span>
        {warned > 0 && <span class="tag warn">{warned} with small files</span>}
      </h2>
      {entity.partitions.length === 0 ? (
        <p class="muted">No partition published.</p>
      ) : (
        <>
          {pages > 1 && (
            <nav class="row pager" aria-label={`Dates of ${entity.entity}`} data-testid={`lake-pager-${entity.entity}`}>
              <span data-testid={`lake-dates-${entity.entity}`}>
                Dates {current * DATES_PER_PAGE + 1}–{current * DATES_PER_PAGE + shown.length} of {groups.length}
              </span>
              <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)} data-testid={`lake-newer-${entity.entity}`}>
                Newer
              </button>
              <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)} data-testid={`lake-older-${entity.entity}`}>
                Older
              </button>
            </nav>
          )}
          {shown.map((group, i) => (
            // The newest date open; the others open on a click.
            <DateSection key={group.date} entity={entity.entity} group={group} open={current === 0 && i === 0} />
          ))}
        </>
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
