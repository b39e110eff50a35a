/**
 * `#/dlq`: dead letters (click one to inspect it at #/dlq/<id>, then replay it), deadline misses,
 * and callback deliveries with their outcome. Polled every 2 s.
 */
import { useState } from 'preact/hooks';
import type { DeadLetterList, DeadLetterLists } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { Pager } from '../components/pager.js';
import { formatInstant } from '../format/figures.js';
import { displayHour } from '../format/hour-label.js';
import { deadLetterHref, runHref } from '../routing/hash-route.js';
import { DeadLetterDetailPanel } from './dead-letter-detail.js';
import { ReplayButton } from './replay-button.js';
import { ScrollBox } from '../components/scroll-box.js';

function DeadLetters({ list, selected, onReplayed }: { list: DeadLetterList; selected?: number; onReplayed: () => void }) {
  if (list.deadLetters.length === 0) return <p class="muted" data-testid="dead-letters-empty">No dead letters: every task that failed succeeded on a retry.</p>;
  return (
    <ScrollBox label="dead letters">
      <table class="data" data-testid="dead-letter-table">
        <thead>
          <tr>
            <th class="num">id</th>
            <th>hour</th>
            <th>run</th>
            <th>work</th>
            <th class="num">attempts</th>
            <th>error</th>
            <th>dead at</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.deadLetters.map((d) => (
            <tr key={d.id} class={d.id === selected ? 'selected' : ''} data-testid={`dead-letter-row-${d.id}`} data-replayed={String(d.replayedAt !== undefined)}>
              <td class="num">{d.id}</td>
              <td class="nowrap">{displayHour(d.hour)}</td>
              <td class="mono">
                <a href={runHref(d.runId)}>{d.runId}</a>
              </td>
              <td class="mono">{d.kind === 'task' ? (d.taskId ?? 'task') : 'finish'}</td>
              <td class="num">{d.attempts}</td>
              <td class="error-cell">{d.error}</td>
              <td class="nowrap">{formatInstant(d.deadAt)}</td>
              <td class="nowrap">
                <span class="actions">
                <a href={deadLetterHref(d.id)} class="button-link" data-testid={`inspect-${d.id}`}>
                  Inspect
                </a>
                {d.replayedAt ? <span class="muted">replayed {formatInstant(d.replayedAt)}</span> : <ReplayButton id={d.id} testid={`replay-${d.id}`} onReplayed={onReplayed} />}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

function DeadlineMisses({ misses }: { misses: DeadLetterList['deadlineMisses'] }) {
  if (misses.length === 0) return <p class="muted">No deadline was missed.</p>;
  return (
    <table class="data" data-testid="deadline-miss-table">
      <thead>
        <tr>
          <th>at</th>
          <th>hour</th>
          <th>run</th>
          <th>details</th>
        </tr>
      </thead>
      <tbody>
        {misses.map((m) => (
          <tr key={m.id}>
            <td class="nowrap">{formatInstant(m.at)}</td>
            <td class="nowrap">{m.hour ? displayHour(m.hour) : '—'}</td>
            <td class="mono">{m.runId ? <a href={runHref(m.runId)}>{m.runId}</a> : '—'}</td>
            <td>
              <code class="raw">{JSON.stringify(m.payload)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The last attempt's answer: a webhook's HTTP status, a command's exit code. */
function resultOf(d: DeadLetterList['deliveries'][number]): string {
  if (d.httpStatus !== undefined) return `HTTP ${d.httpStatus}`;
  if (d.exitCode !== undefined) return `exit ${d.exitCode}`;
  if (d.code !== undefined) return `code ${d.code}`;
  return '—';
}

function Deliveries({ deliveries }: { deliveries: DeadLetterList['deliveries'] }) {
  if (deliveries.length === 0) return <p class="muted">No callback was called.</p>;
  return (
    <ScrollBox label="callback deliveries">
      <table class="data" data-testid="delivery-table">
        <thead>
          <tr>
            <th>event</th>
            <th>hour</th>
            <th>run</th>
            <th>callback</th>
            <th>outcome</th>
            <th class="num">attempts</th>
            <th>result</th>
            <th>error</th>
            <th>created</th>
            <th>finished</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} data-testid={`delivery-row-${d.id}`} data-status={d.status}>
              <td>{d.event}</td>
              <td class="nowrap">{d.hour ? displayHour(d.hour) : '—'}</td>
              <td class="mono">{d.runId ? <a href={runHref(d.runId)}>{d.runId}</a> : '—'}</td>
              <td class="path">
                {d.callback} {d.target !== 'unknown' && <span class="muted">({d.target})</span>}
              </td>
              <td>
                <span class={`delivery delivery-${d.status}`}>{d.status}</span>
              </td>
              <td class="num">{d.attempts}</td>
              <td class="nowrap" data-testid={`delivery-result-${d.id}`}>
                {resultOf(d)}
              </td>
              <td class="error-cell">{d.error ?? ''}</td>
              <td class="nowrap">{formatInstant(d.createdAt)}</td>
              <td class="nowrap">{formatInstant(d.finishedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

/** The API's page size (GET /api/dlq answers 200 of each list unless `limit` says otherwise). */
const PAGE_SIZE = 200;
const NO_OFFSETS: DeadLetterLists<number> = { deadLetters: 0, deadlineMisses: 0, deliveries: 0 };
type ListName = keyof DeadLetterLists<number>;

function listPath(offsets: DeadLetterLists<number>): string {
  const query = new URLSearchParams();
  for (const [name, offset] of Object.entries(offsets)) if (offset > 0) query.set(`${name}Offset`, String(offset));
  const text = query.toString();
  return text ? `/api/dlq?${text}` : '/api/dlq';
}

/** A list's pager, once it holds anything. */
function ListPager({ list, name, noun, testid, onOffset }: { list: DeadLetterList; name: ListName; noun: string; testid: string; onOffset: (name: ListName, offset: number) => void }) {
  if (list.totals[name] === 0) return null;
  return <Pager noun={noun} offset={list.offsets[name]} shown={list[name].length} total={list.totals[name]} pageSize={PAGE_SIZE} onOffset={(offset) => onOffset(name, offset)} testid={testid} />;
}

export function DeadLettersPage({ selected }: { selected?: number }) {
  const [offsets, setOffsets] = useState<DeadLetterLists<number>>(NO_OFFSETS);
  const list = useApi<DeadLetterList>(listPath(offsets), { everyMs: 2000 });
  // A replay from the list or the inspected letter: both show it at once.
  const [replays, setReplays] = useState(0);
  const replayed = (): void => {
    setReplays((n) => n + 1);
    list.reload();
  };
  const paged = (name: ListName, offset: number): void => setOffsets((current) => ({ ...current, [name]: offset }));
  const data = list.data;
  // A list holds fewer than when its page was chosen: its last page that has some.
  if (data) {
    for (const name of Object.keys(NO_OFFSETS) as ListName[]) {
      if (data[name].length === 0 && data.totals[name] > 0 && offsets[name] > 0) paged(name, Math.floor((data.totals[name] - 1) / PAGE_SIZE) * PAGE_SIZE);
    }
  }
  return (
    <main class="page" data-testid="dead-letters-page">
      <h1>Dead letters</h1>
      <ErrorNote error={list.error} testid="dlq-error" />
      {selected !== undefined && <DeadLetterDetailPanel key={selected} id={selected} replays={replays} onReplayed={replayed} />}
      {data && (
        <>
          <section class="panel">
            <h2>Dead letters</h2>
            <ListPager list={data} name="deadLetters" noun="Dead letters" testid="dead-letter" onOffset={paged} />
            <DeadLetters list={data} selected={selected} onReplayed={replayed} />
          </section>
          <section class="panel">
            <h2>Deadline misses</h2>
            <ListPager list={data} name="deadlineMisses" noun="Deadline misses" testid="deadline-miss" onOffset={paged} />
            <DeadlineMisses misses={data.deadlineMisses} />
          </section>
          <section class="panel">
            <h2>Callback deliveries</h2>
            <ListPager list={data} name="deliveries" noun="Deliveries" testid="delivery" onOffset={paged} />
            <Deliveries deliveries={data.deliveries} />
          </section>
        </>
      )}
    </main>
  );
}
