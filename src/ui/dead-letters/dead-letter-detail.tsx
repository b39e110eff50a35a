/** One dead letter inspected (GET /api/dlq/:id): why it died, its run, and the source objects of its task. */
import { useEffect, useState } from 'preact/hooks';
import type { DeadLetterDetail } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatBytes, formatInstant } from '../format/figures.js';
import { displayHour } from '../format/hour-label.js';
import { useEscape } from '../components/use-escape.js';
import { runHref } from '../routing/hash-route.js';
import { closePanel, currentOpener } from '../routing/opener.js';
import { ReplayButton } from './replay-button.js';
import { ScrollBox } from '../components/scroll-box.js';

/**
 * Polled while it can still change: until the letter is replayed (here, from the list, or by
 * another user or `eventlake dlq replay`), then until the replayed run ends.
 */
function stillChanging(detail: DeadLetterDetail): boolean {
  return detail.deadLetter.replayedAt === undefined || detail.run.status === 'queued' || detail.run.status === 'running';
}

/** `replays`: how many replays the page has asked for; each loads the letter again at once. */
export function DeadLetterDetailPanel({ id, replays, onReplayed }: { id: number; replays: number; onReplayed: () => void }) {
  const detail = useApi<DeadLetterDetail>(`/api/dlq/${id}`, { everyMs: 2000, keepPolling: stillChanging });
  const data = detail.data;
  const { reload } = detail;
  // Escape closes the panel, as its × does, and the focus goes back to what opened it (its Inspect link, say).
  const [opener] = useState(currentOpener);
  const close = (): void => closePanel(opener, '#/dlq', `[data-testid="inspect-${id}"]`);
  useEscape(close);
  useEffect(() => {
    if (replays > 0) reload();
    // Only a replay triggers it (reload is a new function on every render).
  }, [replays]);
  return (
    <section class="panel" data-testid="dead-letter-detail">
      <h2>
        Dead letter {id}{' '}
        <a
          href="#/dlq"
          class="close"
          aria-label="close"
          data-testid="dead-letter-detail-close"
          onClick={(event) => {
            event.preventDefault();
            close();
          }}
        >
          ×
        </a>
      </h2>
      <ErrorNote error={detail.error} testid="dead-letter-detail-error" />
      {data && (
        <>
          <dl class="facts">
            <dt>work</dt>
            <dd class="mono">{data.deadLetter.kind === 'task' ? `task ${data.deadLetter.taskId ?? ''}` : 'finish'}</dd>
            <dt>run</dt>
            <dd>
              <a href={runHref(data.run.id)}>{data.run.id}</a> ({displayHour(data.run.hour)}) <StatusBadge status={data.run.status} testid="dead-letter-run-status" />
            </dd>
            <dt>attempts</dt>
            <dd>{data.deadLetter.attempts}</dd>
            <dt>dead at</dt>
            <dd>{formatInstant(data.deadLetter.deadAt)}</dd>
            <dt>error</dt>
            <dd class="error-text">{data.deadLetter.error}</dd>
            <dt>replayed</dt>
            <dd data-testid="dead-letter-replayed">{data.deadLetter.replayedAt ? formatInstant(data.deadLetter.replayedAt) : <ReplayButton id={id} testid={`detail-replay-${id}`} onReplayed={onReplayed} />}</dd>
          </dl>
          <h3>Source objects of the task ({data.objects.length})</h3>
          {data.objects.length === 0 ? (
            <p class="muted">None listed.</p>
          ) : (
            <ScrollBox label="objects of the dead letter" short>
              <table class="data" data-testid="dead-letter-objects">
                <thead>
                  <tr>
                    <th>object</th>
                    <th class="num">size</th>
                  </tr>
                </thead>
                <tbody>
                  {data.objects.map((o) => (
                    <tr key={o.key}>
                      <td class="path">{o.key}</td>
                      <td class="num">{formatBytes(o.size)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
        </>
      )}
    </section>
  );
}
