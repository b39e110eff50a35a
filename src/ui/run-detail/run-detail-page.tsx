/**
 * `#/runs/<id>`: one run's status and timing, its tasks and their attempts, rows per entity, the
 * quarantined lines with their reasons, its log, and the events-per-minute chart. Polled while
 * the run is queued or running.
 */
import type { RunDetail } from '../../app/api-views.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatBytes, formatCount, formatInstant, formatSeconds, secondsBetween } from '../format/figures.js';
import { displayHour } from '../format/hour-label.js';
import { runHref } from '../routing/hash-route.js';
import { RerunButton } from '../runs/rerun-button.js';
import { TimelineChart } from './timeline-chart.js';

const ACTIVE = new Set(['queued', 'running']);

function Summary({ run }: { run: RunDetail['run'] }) {
  const took = run.seconds ?? secondsBetween(run.startedAt, run.finishedAt);
  return (
    <section class="panel">
      <dl class="facts" data-testid="run-summary">
        <dt>status</dt>
        <dd>
          <StatusBadge status={run.status} testid="run-status" />
          {run.orphaned && <span class="tag">orphaned: eventlake resume (or up) finishes it</span>}
          {run.poorQuality && <span class="tag warn">poor quality</span>}
        </dd>
        <dt>hour</dt>
        <dd>{displayHour(run.hour)}</dd>
        <dt>trigger</dt>
        <dd>
          {run.trigger}, attempt {run.attempt}
        </dd>
        <dt>queued</dt>
        <dd>{formatInstant(run.queuedAt)}</dd>
        <dt>started</dt>
        <dd>{formatInstant(run.startedAt)}</dd>
        <dt>finished</dt>
        <dd>{formatInstant(run.finishedAt)}</dd>
        <dt>took</dt>
        <dd>{formatSeconds(took)}</dd>
        <dt>tasks</dt>
        <dd>{run.tasks ? `${run.tasks.done} of ${run.tasks.total} done` : '—'}</dd>
        <dt>source</dt>
        <dd class="path">{run.source}</dd>
        <dt>lake</dt>
        <dd class="path">
          {run.lake} ({run.format})
        </dd>
        {run.error && (
          <>
            <dt>error</dt>
            <dd class="error-text" data-testid="run-error">
              {run.error}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

function Entities({ entities }: { entities: RunDetail['entities'] }) {
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

function Tasks({ tasks }: { tasks: RunDetail['tasks'] }) {
  return (
    <section class="panel">
      <h2>Tasks</h2>
      {tasks.length === 0 ? (
        <p class="muted">Not planned yet.</p>
      ) : (
        <table class="data" data-testid="task-table">
          <thead>
            <tr>
              <th>task</th>
              <th>status</th>
              <th class="num">objects</th>
              <th class="num">bytes</th>
              <th class="num">attempts</th>
              <th>error</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((t) => (
              <tr key={t.id} data-testid={`task-row-${t.id}`} data-status={t.status}>
                <td class="mono">{t.id}</td>
                <td>
                  <span class={`task-status task-${t.status}`}>{t.status}</span>
                </td>
                <td class="num">{formatCount(t.objects)}</td>
                <td class="num">{formatBytes(t.bytes)}</td>
                <td class="num">{t.attempts}</td>
                <td class="error-cell">{t.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Attempts({ attempts }: { attempts: RunDetail['attempts'] }) {
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

function Quarantine({ quarantine }: { quarantine: RunDetail['quarantine'] }) {
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

function Log({ log }: { log: RunDetail['log'] }) {
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

export function RunDetailPage({ id }: { id: string }) {
  const detail = useApi<RunDetail>(`/api/runs/${encodeURIComponent(id)}`, { everyMs: 2000, keepPolling: (d) => ACTIVE.has(d.run.status) });
  const data = detail.data;
  return (
    <main class="page" data-testid="run-detail-page">
      <p class="crumbs">
        <a href="#/runs">Runs</a> / <span class="mono">{id}</span>
      </p>
      <h1>{data ? `Run of ${displayHour(data.run.hour)}` : `Run ${id}`}</h1>
      <ErrorNote error={detail.error} testid="run-detail-error" />
      {!data && !detail.error && <p class="muted">Loading…</p>}
      {data && (
        <>
          {data.run.status === 'failed' && (
            <p>
              <RerunButton hour={data.run.hour} testid="rerun-run" onRerun={(run) => (location.hash = runHref(run.id))} />
            </p>
          )}
          <Summary run={data.run} />
          <div class="columns">
            <Entities entities={data.entities} />
            <Tasks tasks={data.tasks} />
          </div>
          <TimelineChart runId={data.run.id} status={data.run.status} />
          <Attempts attempts={data.attempts} />
          <Quarantine quarantine={data.quarantine} />
          <Log log={data.log} />
        </>
      )}
    </main>
  );
}
