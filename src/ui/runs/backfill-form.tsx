/**
 * Backfill a range of hours (inclusive): POST /api/runs {from, to}, then a progress bar counting
 * the answered runs as they end, polled until every one has.
 */
import { useState } from 'preact/hooks';
import type { BackfillAnswer, RunList, RunRequestBody, RunView } from '../../app/api-views.js';
import { postJson } from '../api/api-client.js';
import { asFailure } from '../api/api-failure.js';
import { useApi } from '../api/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { choiceLabel, HourPicker, type HourChoice } from '../components/hour-picker.js';
import { displayHour } from '../format/hour-label.js';
import { backfillProgress } from './backfill-progress.js';
import { everyRunPage } from './every-run-page.js';

interface Backfill {
  readonly from: string;
  readonly to: string;
  readonly runs: readonly RunView[];
}

function Progress({ backfill }: { backfill: Backfill }) {
  // Every run of the range, a page at a time: a range of more hours than one answer holds is counted whole.
  const query = new URLSearchParams({ from: backfill.from, to: backfill.to });
  const latest = useApi<RunList>(`/api/runs?${query.toString()}`, {
    everyMs: 2000,
    load: everyRunPage,
    keepPolling: (list) => !backfillProgress(backfill.runs, list.runs).finished,
  });
  const progress = backfillProgress(backfill.runs, latest.data?.runs ?? []);
  const { counts } = progress;
  return (
    <div class="backfill-progress" role="status" aria-live="polite" data-testid="backfill-status" data-finished={String(progress.finished)}>
      <progress max={Math.max(progress.total, 1)} value={progress.ended} data-testid="backfill-progress" />
      <span>
        {progress.ended} of {progress.total} hour(s) ended ({displayHour(backfill.from)} to {displayHour(backfill.to)}): {counts.success} succeeded, {counts.failed} failed,{' '}
        {counts.running} running, {counts.queued} queued
      </span>
      <ErrorNote error={latest.error} />
    </div>
  );
}

export function BackfillForm({ initial, onStarted }: { initial: HourChoice; onStarted: () => void }) {
  const [from, setFrom] = useState<HourChoice>(initial);
  const [to, setTo] = useState<HourChoice>(initial);
  const [busy, setBusy] = useState(false);
  const [backfill, setBackfill] = useState<Backfill>();
  const [error, setError] = useState<string>();

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    const range = { from: choiceLabel(from), to: choiceLabel(to) };
    if (!range.from || !range.to) {
      setError('Choose the first and the last hour of the range.');
      return;
    }
    setBusy(true);
    try {
      const body: RunRequestBody = { from: range.from, to: range.to };
      const answer = await postJson<BackfillAnswer>('/api/runs', body);
      setBackfill({ from: range.from, to: range.to, runs: answer.runs });
      onStarted();
    } catch (err) {
      setError(asFailure(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel form" onSubmit={submit} data-testid="backfill-form">
      <h2>Backfill a range</h2>
      <div class="row">
        <span class="muted">from</span>
        <HourPicker label="First hour" value={from} onChange={setFrom} testid="backfill-from" />
        <span class="muted">to</span>
        <HourPicker label="Last hour" value={to} onChange={setTo} testid="backfill-to" />
        <button type="submit" disabled={busy} data-testid="backfill-submit">
          {busy ? 'Asking…' : 'Backfill'}
        </button>
      </div>
      {backfill && <Progress key={backfill.runs.map((r) => r.id).join(',')} backfill={backfill} />}
      <ErrorNote error={error} testid="backfill-error" />
    </form>
  );
}
